/**
 * Verifiable stratified random draw of citizen delegates. Pure: plain data in, decisions out.
 *
 * Specification (version 1), enough for a third party to reimplement it:
 *
 * 1. Commitment. Before the draw the organiser publishes
 *      seedCommitment = hex(SHA-256( UTF-8("sanmin-draw-seed-v1:") ‖ seedBytes ))
 *    where seedBytes are the 32 bytes of the secret seed (given as 64 hex characters, any case),
 *    and names a public random source whose value will only be known later (RFC 3797, e.g.
 *    "中国福利彩票双色球 第 2018140 期开奖号码"). At the draw the seed is revealed with the
 *    source's value; anyone can check the seed against the commitment.
 * 1a. Public value (RFC 3797 §4). The numbers of each set of the source, sorted ascending, each
 *    written in decimal without leading zeros and followed by ".", each set followed by "/":
 *    red balls 31 07 12 03 25 19 and blue ball 09 give "3.7.12.19.25.31./9./".
 * 1b. Effective seed (version 2):
 *      effectiveSeed = hex(HMAC-SHA256( key = seedBytes,
 *                        message = UTF-8("sanmin-draw-beacon-v1\n" ‖ source ‖ "\n" ‖ public value) ))
 *    Steps 4 and 5 use the effective seed's 32 bytes. What each part protects: the commitment
 *    stops the organiser changing the secret once the public value is known; the public value,
 *    unknown when the secret is committed, makes trying secrets before the commitment useless
 *    (every secret gives an unpredictable draw until the value is out); the secret stops anyone
 *    who knows or sways the public source (its operator, an early leak) from predicting or steering
 *    the draw; naming the source in advance (and binding its name into the derivation) stops a
 *    choice among sources afterwards; the domain prefix keeps this HMAC apart from the per-
 *    candidate keys of step 4, made with another key under another message format.
 *    Version 1 files (before public sources) used the seed itself as the effective seed.
 * 2. Cells. Each cell is (venue, group, category) with `seats` and `reserves` (候补) counts.
 *    Cells are processed in canonical order: group ascending (numerically), then venue, then
 *    category, names compared by UTF-16 code units (JavaScript `<` on strings). The order in
 *    which cells or candidates are listed in the input never matters.
 * 3. Pool. A cell's pool is every candidate whose venue and category equal the cell's, whose
 *    `groups` contain the cell's group, and who was not selected or reserved in an earlier
 *    cell (a person is drawn at most once per campaign). Candidates are never moved from one
 *    category or venue to another.
 * 4. Order. Each pool member gets
 *      key = hex(HMAC-SHA256(key = seedBytes, message = UTF-8(`${group}|${venue}|${category}|${code}`)))
 *    and the pool is sorted by key ascending (lower-case hex string order = byte order); equal
 *    keys (practically impossible) are ordered by code.
 * 5. Outcome. The first `seats` of the sorted pool are selected, in that order; the next
 *    `reserves` form the ordered reserve list. shortfall = max(0, seats − selected).
 *
 * The published file is { version: 2, seedCommitment, seed, publicSource, publicValue,
 * effectiveSeed, cells, candidates, result } (version 1: without the three public-source fields;
 * extra fields are allowed; if `candidatesDigest` is present it must equal candidatesDigest() of
 * the candidates). verifyDraw() recomputes everything and names the first cell that differs.
 */
import { z } from 'zod';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson, sha256Hex } from '../lib/crypto';

export const SEED_DOMAIN = 'sanmin-draw-seed-v1:';
export const BEACON_DOMAIN = 'sanmin-draw-beacon-v1';

export interface DrawCell {
  venue: string;
  group: number;
  category: string;
  seats: number;
  reserves: number;
}

export interface DrawCandidate {
  /** Stable pseudonymous code; never a name or ID number. */
  code: string;
  venue: string;
  /** Groups the person can attend. */
  groups: number[];
  category: string;
}

export interface DrawInput {
  /** 64 hex characters (32 bytes). */
  seed: string;
  cells: DrawCell[];
  candidates: DrawCandidate[];
}

export interface DrawCellResult {
  venue: string;
  group: number;
  category: string;
  seats: number;
  selected: string[];
  reserve: string[];
  shortfall: number;
}

export interface DrawResult {
  /** In canonical order (group, venue, category). */
  cells: DrawCellResult[];
  totals: { seats: number; selected: number; shortfall: number };
}

export interface PublishedDraw {
  version: 1 | 2;
  seedCommitment: string;
  seed: string;
  /** Version 2: the public random source named at commitment, its canonical value, and the seed the draw used. */
  publicSource?: string;
  publicValue?: string;
  effectiveSeed?: string;
  cells: DrawCell[];
  candidates: DrawCandidate[];
  result: DrawResult;
  candidatesDigest?: string;
}

export type DrawVerdict =
  | { ok: true; cells: number; seats: number; selected: number; shortfall: number; publicValue: string | null }
  | { ok: false; reason: string };

const SEED_HEX = /^[0-9a-fA-F]{64}$/;

function seedBytes(seedHex: string): Uint8Array {
  if (!SEED_HEX.test(seedHex)) throw new Error('随机种子须为 64 位十六进制字符串');
  return hexToBytes(seedHex.toLowerCase());
}

/** 32 random bytes from the platform CSPRNG, as lower-case hex. */
export function newSeed(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

/** The published commitment to a seed: SHA-256 of the domain prefix and the seed bytes. */
export function seedCommitment(seedHex: string): string {
  return bytesToHex(sha256(concatBytes(utf8ToBytes(SEED_DOMAIN), seedBytes(seedHex))));
}

const SET_SEPARATORS = /[\/+|;\n]/;

/**
 * The canonical form of a public random value (RFC 3797 §4): sets separated by "/", "+", "|",
 * ";" or a new line; numbers within a set separated by spaces, commas, "、" or "."; full-width
 * characters accepted. Each set is sorted ascending; each number is written without leading
 * zeros followed by "."; each set is followed by "/". Letters are refused, so that two sets can
 * never run together. The canonical form maps to itself.
 */
export function canonicalPublicValue(text: string): { value: string } | { error: string } {
  const t = text.normalize('NFKC').trim();
  if (!t) return { error: '请输入公共随机源公布的号码' };
  if (t.length > 500) return { error: '公共随机值过长(最多 500 个字符)' };
  if (!/^[0-9\s,、.\/+|;]+$/.test(t)) return { error: '公共随机值只能包含数字和分隔符:同一组号码用空格或逗号分隔,不同组(如红球与蓝球)用“/”或“+”分隔' };
  const sets = t.split(SET_SEPARATORS).map((part) => part.match(/[0-9]+/g) ?? []);
  // the canonical form ends with "/": one empty piece after the last separator is no set
  if (sets.length > 1 && sets[sets.length - 1]!.length === 0) sets.pop();
  if (sets.length === 0 || sets.some((nums) => nums.length === 0)) return { error: '每一组号码至少要有一个数字,组与组之间不要留空' };
  const value = sets
    .map((nums) =>
      nums
        .map((n) => n.replace(/^0+(?=\d)/, ''))
        .sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0))
        .map((n) => `${n}.`)
        .join('') + '/',
    )
    .join('');
  return { value };
}

/** How the effective seed is derived, as published in draw.json. */
export const DERIVATION = `effectiveSeed = HMAC-SHA256(key = seed, message = "${BEACON_DOMAIN}\\n" ‖ publicSource ‖ "\\n" ‖ publicValue)`;

/** Why a named public random source cannot be accepted (null when it can): free text, 4–200 characters. */
export function publicSourceProblem(source: string): string | null {
  if (!source) return '请写明公共随机源:开奖后才会公布的号码来源及其公布日期,例如“中国福利彩票双色球 第 2018140 期开奖号码(2018 年 12 月 2 日晚开奖)”';
  if (source.length < 4 || source.length > 200) return '公共随机源的说明须为 4 至 200 个字符';
  if (/[\u0000-\u001f\u007f\u200e\u200f\u202a-\u202e\u2066-\u2069]/.test(source)) return '公共随机源的说明不能包含控制字符';
  return null;
}

/** Step 1b: the seed the draw uses, from the committed secret and the public value. */
export function effectiveSeed(seedHex: string, publicSource: string, publicValue: string): string {
  return bytesToHex(hmac(sha256, seedBytes(seedHex), utf8ToBytes(`${BEACON_DOMAIN}\n${publicSource}\n${publicValue}`)));
}

/** Digest of the pseudonymised list fixed at commitment time: canonical JSON sorted by code. */
export function candidatesDigest(candidates: readonly DrawCandidate[]): string {
  const list = candidates.map((c) => ({ code: c.code, venue: c.venue, groups: c.groups, category: c.category })).sort((a, b) => cmp(a.code, b.code));
  return sha256Hex(canonicalJson(list));
}

/** One candidate's ordering key in one cell (step 4 of the specification). */
export function drawKey(seedHex: string, cell: { group: number; venue: string; category: string }, code: string): string {
  return bytesToHex(hmac(sha256, seedBytes(seedHex), utf8ToBytes(`${cell.group}|${cell.venue}|${cell.category}|${code}`)));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const cellLabel = (c: { group: number; venue: string; category: string }) => `第 ${c.group} 组 · ${c.venue} · ${c.category}`;

/** Canonical processing order: group, then venue, then category. */
export function canonicalCellOrder<T extends { group: number; venue: string; category: string }>(cells: readonly T[]): T[] {
  return [...cells].sort((a, b) => a.group - b.group || cmp(a.venue, b.venue) || cmp(a.category, b.category));
}

const isCount = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
// cells with NUL in a name are refused, so this pair key cannot merge two pools
const poolKey = (venue: string, category: string) => `${venue}\u0000${category}`;

function validateInput(input: DrawInput): void {
  seedBytes(input.seed);
  const cellKeys = new Set<string>();
  for (const c of input.cells) {
    if (!c.venue || !c.category || /\u0000/.test(c.venue + c.category) || !Number.isSafeInteger(c.group) || c.group < 1) throw new Error(`抽签格子无效:${JSON.stringify(c)}`);
    if (!isCount(c.seats) || !isCount(c.reserves)) throw new Error(`${cellLabel(c)}:名额与候补数须为非负整数`);
    const k = `${c.group}\u0000${poolKey(c.venue, c.category)}`;
    if (cellKeys.has(k)) throw new Error(`${cellLabel(c)}:抽签格子重复`);
    cellKeys.add(k);
  }
  const codes = new Set<string>();
  for (const c of input.candidates) {
    if (!c.code) throw new Error('候选人编码不能为空');
    if (codes.has(c.code)) throw new Error(`候选人编码 ${c.code} 重复`);
    codes.add(c.code);
  }
}

/** Runs the draw described in the module comment. Throws (Chinese message) on malformed input. */
export function runDraw(input: DrawInput): DrawResult {
  validateInput(input);
  const seed = seedBytes(input.seed);
  const mac = hmac.create(sha256, seed);
  // one pass: candidates grouped by venue × category; the group filter happens per cell
  const pools = new Map<string, PoolEntry[]>();
  for (const c of input.candidates) {
    const k = poolKey(c.venue, c.category);
    const entry: PoolEntry = { code: c.code, groups: c.groups, bytes: utf8ToBytes(c.code), drawn: false };
    const pool = pools.get(k);
    if (pool) pool.push(entry);
    else pools.set(k, [entry]);
  }
  // Speed (10,000 seats from 100,000 people): the keyed HMAC state absorbs the cell prefix once
  // per cell, and two scratch states are reused instead of allocating one per candidate.
  let cellMac = mac.clone();
  let scratch = mac.clone();
  const out = new Uint8Array(32);
  const cells: DrawCellResult[] = [];
  for (const cell of canonicalCellOrder(input.cells)) {
    const pool = pools.get(poolKey(cell.venue, cell.category)) ?? [];
    const prefix = `${cell.group}|${cell.venue}|${cell.category}|`;
    cellMac = mac._cloneInto(cellMac).update(utf8ToBytes(prefix));
    const keyed: { entry: PoolEntry; top: number }[] = [];
    for (const c of pool) {
      if (c.drawn || !c.groups.includes(cell.group)) continue;
      scratch = cellMac._cloneInto(scratch);
      scratch.update(c.bytes).digestInto(out);
      keyed.push({ entry: c, top: top48(out) });
    }
    // the first 48 bits decide the order; only on equal prefixes are the full keys compared
    const fullKey = (code: string) => bytesToHex(hmac(sha256, seed, utf8ToBytes(prefix + code)));
    keyed.sort((a, b) => a.top - b.top || cmp(fullKey(a.entry.code), fullKey(b.entry.code)) || cmp(a.entry.code, b.entry.code));
    const drawn = keyed.slice(0, cell.seats + cell.reserves);
    // drawn once per campaign: selected or reserve here means out of every later cell
    for (const x of drawn) x.entry.drawn = true;
    const selected = drawn.slice(0, cell.seats).map((x) => x.entry.code);
    const reserve = drawn.slice(cell.seats).map((x) => x.entry.code);
    cells.push({ venue: cell.venue, group: cell.group, category: cell.category, seats: cell.seats, selected, reserve, shortfall: Math.max(0, cell.seats - selected.length) });
  }
  mac.destroy();
  cellMac.destroy();
  scratch.destroy();
  return {
    cells,
    totals: {
      seats: cells.reduce((a, c) => a + c.seats, 0),
      selected: cells.reduce((a, c) => a + c.selected.length, 0),
      shortfall: cells.reduce((a, c) => a + c.shortfall, 0),
    },
  };
}

interface PoolEntry {
  code: string;
  groups: number[];
  bytes: Uint8Array;
  /** Selected or reserved in an earlier cell. */
  drawn: boolean;
}

/** The first 6 bytes of a key as an exact integer: comparing these = comparing the hex prefix. */
function top48(b: Uint8Array): number {
  return (b[0]! * 0x10000 + b[1]! * 0x100 + b[2]!) * 0x1000000 + b[3]! * 0x10000 + b[4]! * 0x100 + b[5]!;
}

const cellSchema = z.object({ venue: z.string(), group: z.number(), category: z.string(), seats: z.number(), reserves: z.number() });
const candidateSchema = z.object({ code: z.string(), venue: z.string(), groups: z.array(z.number()), category: z.string() });
const resultCellSchema = z.object({
  venue: z.string(),
  group: z.number(),
  category: z.string(),
  seats: z.number(),
  selected: z.array(z.string()),
  reserve: z.array(z.string()),
  shortfall: z.number(),
});
const fileSchema = z.object({
  version: z.union([z.literal(1), z.literal(2)]),
  seedCommitment: z.string(),
  seed: z.string(),
  publicSource: z.string().optional(),
  publicValue: z.string().optional(),
  effectiveSeed: z.string().optional(),
  candidatesDigest: z.string().optional(),
  cells: z.array(cellSchema),
  candidates: z.array(candidateSchema),
  result: z.object({
    cells: z.array(resultCellSchema),
    totals: z.object({ seats: z.number(), selected: z.number(), shortfall: z.number() }),
  }),
});

function firstListDifference(what: string, expected: readonly string[], actual: readonly string[]): string | undefined {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) return `${what}第 ${i + 1} 位应为 ${expected[i] ?? '(无)'},公示为 ${actual[i] ?? '(无)'}`;
  }
  return undefined;
}

/**
 * Checks a published draw file: the seed matches its commitment, the candidate digest (when
 * present) matches the list, (version 2) the public value is canonical and the effective seed is
 * derived from the seed and the public value, and redrawing from it + cells + candidates gives exactly the
 * published result (same codes in the same order). Cells are matched by (group, venue,
 * category), so the file may list them in any order. The reason is in Chinese.
 */
export function verifyDraw(file: unknown): DrawVerdict {
  const parsed = fileSchema.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `公示文件格式不正确:${issue?.path.join('.') || '(根)'} ${issue?.message ?? ''}`.trim() };
  }
  const f = parsed.data;
  if (!SEED_HEX.test(f.seed)) return { ok: false, reason: '随机种子须为 64 位十六进制字符串' };
  if (seedCommitment(f.seed) !== f.seedCommitment.toLowerCase()) return { ok: false, reason: '随机种子与公布的承诺值不符' };
  if (f.candidatesDigest !== undefined && candidatesDigest(f.candidates) !== f.candidatesDigest.toLowerCase()) {
    return { ok: false, reason: '候选名单与承诺时公布的名单摘要不符' };
  }
  let drawSeed = f.seed;
  if (f.version === 2) {
    if (!f.publicSource?.trim()) return { ok: false, reason: '公示文件缺少承诺时指定的公共随机源' };
    if (f.publicValue === undefined) return { ok: false, reason: '公示文件缺少公共随机源公布的号码' };
    const canonical = canonicalPublicValue(f.publicValue);
    if ('error' in canonical) return { ok: false, reason: `公共随机值无效:${canonical.error}` };
    if (canonical.value !== f.publicValue) return { ok: false, reason: `公共随机值不是规范形式:应写作 ${canonical.value}` };
    const derived = effectiveSeed(f.seed, f.publicSource, f.publicValue);
    if (f.effectiveSeed?.toLowerCase() !== derived) {
      return { ok: false, reason: `有效种子与(随机种子, 公共随机源, 公共随机值)推导的结果不符:应为 ${derived},公示为 ${f.effectiveSeed ?? '(无)'}` };
    }
    drawSeed = derived;
  }
  let expected: DrawResult;
  try {
    expected = runDraw({ seed: drawSeed, cells: f.cells, candidates: f.candidates });
  } catch (err) {
    return { ok: false, reason: `无法重新抽签:${(err as Error).message}` };
  }
  const key = (c: { group: number; venue: string; category: string }) => `${c.group}\u0000${poolKey(c.venue, c.category)}`;
  const published = new Map<string, z.infer<typeof resultCellSchema>>();
  for (const c of f.result.cells) {
    if (published.has(key(c))) return { ok: false, reason: `${cellLabel(c)}:公示结果中重复出现` };
    published.set(key(c), c);
  }
  for (const want of expected.cells) {
    const got = published.get(key(want));
    const label = cellLabel(want);
    if (!got) return { ok: false, reason: `${label}:公示结果中缺少该格子` };
    published.delete(key(want));
    if (got.seats !== want.seats) return { ok: false, reason: `${label}:名额应为 ${want.seats},公示为 ${got.seats}` };
    const diff = firstListDifference('入选名单', want.selected, got.selected) ?? firstListDifference('候补名单', want.reserve, got.reserve);
    if (diff) return { ok: false, reason: `${label}:${diff}` };
    if (got.shortfall !== want.shortfall) return { ok: false, reason: `${label}:缺额应为 ${want.shortfall},公示为 ${got.shortfall}` };
  }
  const extra = [...published.values()][0];
  if (extra) return { ok: false, reason: `${cellLabel(extra)}:公示结果中多出该格子` };
  for (const field of ['seats', 'selected', 'shortfall'] as const) {
    if (f.result.totals[field] !== expected.totals[field]) {
      return { ok: false, reason: `合计 ${field} 应为 ${expected.totals[field]},公示为 ${f.result.totals[field]}` };
    }
  }
  return { ok: true, cells: expected.cells.length, ...expected.totals, publicValue: f.version === 2 ? f.publicValue! : null };
}
