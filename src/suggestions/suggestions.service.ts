import { and, asc, count, desc, eq, inArray, isNotNull, ne, sql, type SQL } from 'drizzle-orm';
import { LruCache } from '../lib/cache.core';
import { canonicalCode } from '../lib/codes.core';
import type { BatchItem } from 'drizzle-orm/batch';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { v7 as uuidv7 } from 'uuid';
import { randomCode } from '../delegates/delegates.core';
import { stillHolds, type Precondition } from '../audit/audit.service';
import { chunkRows, type Db } from '../db/client';
import { AppError } from '../lib/errors';
import { groupCommit } from '../db/group-commit';
import {
  departments,
  suggestionAssignments,
  suggestionBands,
  suggestions,
  suggestionScores,
  suggestionSupporters,
  suggestionTerms,
  type Adoption,
  type SuggestionSource,
  type SuggestionStatus,
} from '../db/schema';
import { buildRouter, type Router } from './routing.core';
import { sealText, type AtRest } from '../lib/at-rest';
import { enqueueForAuthor } from '../notifications/outbox.service';
import { contactRow } from '../notifications/contact.service';
import { mobileKeyOf, sealContact } from './author-contact.service';
import { citySegmenter, routingVocabulary } from './vocabulary.service';
import {
  answerDeadline,
  dispatchDeadline,
  findDuplicate,
  fingerprint,
  minhashBands,
  maskForOthers,
  bigramTokens,
  type ExistingText,
  type IntakeContext,
  type SuggestionInput,
} from './suggestions.core';

export type Suggestion = typeof suggestions.$inferSelect;
export type Assignment = typeof suggestionAssignments.$inferSelect;

export interface CampaignDepartment {
  id: string;
  name: string;
  duties: string;
  goals: string;
  report: string;
}

export async function loadDepartments(db: Db, campaignId: string): Promise<CampaignDepartment[]> {
  return db
    .select({ id: departments.id, name: departments.name, duties: departments.duties, goals: departments.goals, report: departments.report })
    .from(departments)
    .where(eq(departments.campaignId, campaignId))
    .orderBy(asc(departments.name));
}

type IntakeOptions = IntakeContext & { departmentList: { id: string; name: string }[] };
const INTAKE_CACHE_MS = 30_000;
const intakeCache = new LruCache<string, IntakeOptions>({ max: 16, ttlMs: INTAKE_CACHE_MS });

/** Themes, areas and departments of a campaign; cached per isolate for 30 s (they change rarely, intake is hot). */
export async function cachedIntakeContext(db: Db, campaignId: string): Promise<IntakeOptions> {
  const hit = intakeCache.get(campaignId);
  if (hit) return hit;
  const value = await loadIntakeContext(db, campaignId);
  intakeCache.set(campaignId, value);
  return value;
}

export async function loadIntakeContext(db: Db, campaignId: string): Promise<IntakeContext & { departmentList: { id: string; name: string }[] }> {
  const [terms, depts] = await Promise.all([
    db.select({ kind: suggestionTerms.kind, name: suggestionTerms.name }).from(suggestionTerms).where(eq(suggestionTerms.campaignId, campaignId)).orderBy(asc(suggestionTerms.position)),
    db.select({ id: departments.id, name: departments.name }).from(departments).where(eq(departments.campaignId, campaignId)).orderBy(asc(departments.position), asc(departments.name)),
  ]);
  // pinyin order, so a citizen finds a department in a long list
  const sorted = [...depts].sort((a, b) => a.name.localeCompare(b.name, 'zh-Hans-CN'));
  return {
    themes: terms.filter((t) => t.kind === 'theme').map((t) => t.name),
    areas: terms.filter((t) => t.kind === 'area').map((t) => t.name),
    departments: sorted.map((d) => d.name),
    departmentList: sorted,
  };
}

// ---------------------------------------------------------------- intake

export type IntakeResult =
  | { kind: 'created'; code: string }
  | { kind: 'same_author'; code: string; similarity: number }
  | { kind: 'near_identical'; code: string; similarity: number };

const BAND_SCAN = 64;

/**
 * Existing suggestions that might repeat this one, in one round trip: the same fingerprint, the
 * same author's latest 50, and the 20 sharing most MinHash bands among each band's latest 64
 * holders (`+campaign_id` keeps SQLite from scanning the campaign's index instead).
 */
async function duplicateCandidates(db: Db, campaignId: string, mobileKey: string, fp: string, bands: string[]): Promise<(ExistingText & { duplicateOf: number | null })[]> {
  const cols = sql`seq, code, mobile AS mobileKey, title, body, duplicate_of AS duplicateOf`;
  // each band's latest 64 holders only: a band shared by hundreds of texts (a common phrase)
  // says little and would make every intake scan them all (535 rows at 20,000 in the bench, 180
  // capped). Per band, the 64th-newest holder is the floor; no UNION per band, as D1 caps the
  // terms of a compound SELECT.
  const byBand = bands.length
    ? sql` UNION SELECT ${cols} FROM suggestions WHERE seq IN (
        SELECT sb.suggestion_seq FROM (
          SELECT b.value AS band, (SELECT suggestion_seq FROM suggestion_bands WHERE band = b.value ORDER BY suggestion_seq DESC LIMIT 1 OFFSET ${BAND_SCAN - 1}) AS floor
          FROM json_each(${JSON.stringify(bands)}) AS b) AS cut
        JOIN suggestion_bands AS sb ON sb.band = cut.band AND sb.suggestion_seq >= coalesce(cut.floor, 0)
        GROUP BY sb.suggestion_seq ORDER BY count(*) DESC, sb.suggestion_seq DESC LIMIT 20) AND +campaign_id = ${campaignId}`
    : sql``;
  return db.all<ExistingText & { duplicateOf: number | null }>(
    sql`SELECT ${cols} FROM suggestions WHERE campaign_id = ${campaignId} AND fingerprint = ${fp}
        UNION SELECT * FROM (SELECT ${cols} FROM suggestions WHERE campaign_id = ${campaignId} AND mobile = ${mobileKey} ORDER BY seq DESC LIMIT 50)${byBand}`,
  );
}

export interface NewSuggestion {
  campaignId: string;
  source: SuggestionSource;
  input: SuggestionInput;
  now?: number;
  /** Seals the author's contact and keys their mobile (required: contacts are never stored in the clear). */
  atRest: AtRest;
}

/** What intake stores instead of the author's mobile and e-mail: the keyed hash, and the sealed copies. */
export interface SealedAuthor {
  mobileKey: string;
  contactSealed: string;
  /** The chosen notification contact, sealed on its own (the sender opens only this). */
  notifySealed: string | null;
}

/** Keys and seals one author's contact for the row with tracking code `code`. */
export async function sealAuthor(atRest: AtRest, code: string, input: SuggestionInput, mobileKey?: string): Promise<SealedAuthor> {
  const notifyTo = input.notify === 'sms' ? input.mobile : input.notify === 'email' ? input.email : null;
  return {
    mobileKey: mobileKey ?? (await mobileKeyOf(atRest, input.mobile)),
    contactSealed: await sealContact(atRest, code, { mobile: input.mobile, email: input.email }),
    notifySealed: notifyTo ? await sealText(atRest, contactRow(code), notifyTo) : null,
  };
}

/**
 * The row and its MinHash bands, as batch statements (the bands find the row by its code). With
 * `skipIfStored` a text stored in the meantime (suggestions_one_per_text) skips the row instead of
 * failing the batch; a CSV batch, checked beforehand, fails whole instead.
 */
function insertStatements(db: Db, s: Omit<NewSuggestion, 'atRest'>, code: string, fp: string, bands: string[], sealed: SealedAuthor, skipIfStored = false): BatchItem<'sqlite'>[] {
  const now = s.now ?? Date.now();
  const { input } = s;
  const notifyChannel = sealed.notifySealed ? input.notify : 'none';
  const row = db.insert(suggestions).values({
    code,
    campaignId: s.campaignId,
    source: s.source,
    authorName: input.authorName,
    mobileKey: sealed.mobileKey,
    contactSealed: sealed.contactSealed,
    organisation: input.organisation,
    theme: input.theme,
    area: input.area,
    title: input.title,
    body: input.body,
    targetDepartment: input.targetDepartment,
    notifyChannel,
    notifyContact: sealed.notifySealed,
    fingerprint: fp,
    dispatchBy: dispatchDeadline(now),
    createdAt: now,
  });
  const out: BatchItem<'sqlite'>[] = [skipIfStored ? row.onConflictDoNothing().returning({ seq: suggestions.seq }) : row];
  if (bands.length) {
    out.push(
      // a query builder, not db.run(sql): drizzle's D1 batch cannot bind a raw statement's parameters
      db
        .insert(suggestionBands)
        // joined, not a scalar subquery: when the row was not stored (a copy stored first), nothing is
        .select(sql`SELECT b.value, s.seq FROM json_each(${JSON.stringify(bands)}) AS b JOIN suggestions AS s ON s.code = ${code} WHERE true`)
        .onConflictDoNothing(),
    );
  }
  // 已受理: queued with the row itself (nothing when no channel was chosen or the row was not stored)
  if (notifyChannel !== 'none') out.push(enqueueForAuthor(db, { code }, 'received', { code }, 'r0', now));
  return out;
}

/**
 * Stores a suggestion unless it repeats one: the same author's near-same text returns the
 * existing tracking code; another citizen's near-identical text is linked to the original as a
 * supporter (附议). `extra` statements (an audit entry) run in the same atomic batch.
 */
/**
 * Intakes of the same text wait for each other in this process, so a double-clicked or
 * re-sent form arriving in the same instant is linked to the first instead of stored twice
 * (the duplicate check reads before the insert lands). Per isolate on Workers.
 */
const sameTextInFlight = new Map<string, Promise<IntakeResult>>();

/** Runs the statements atomically and answers each one's results, in order (groupCommit, audited). */
type Write = (statements: BatchItem<'sqlite'>[], db: Db) => Promise<unknown[]>;
const groupWrite: Write = (statements, db) => groupCommit(db, statements);

export function createSuggestion(db: Db, s: NewSuggestion, write: Write = groupWrite): Promise<IntakeResult> {
  const key = `${s.campaignId}|${fingerprint(s.input.title, s.input.body)}`;
  const before = sameTextInFlight.get(key);
  const run = (async () => {
    if (before) await before.catch(() => undefined);
    return createOne(db, s, write);
  })();
  sameTextInFlight.set(key, run);
  void run.finally(() => {
    if (sameTextInFlight.get(key) === run) sameTextInFlight.delete(key);
  }).catch(() => undefined);
  return run;
}

/** One intake as each process or Worker isolate runs it, without createSuggestion's in-process queue (exported for tests). */
export async function createOne(db: Db, s: NewSuggestion, write: Write = groupWrite, retried = false): Promise<IntakeResult> {
  const fp = fingerprint(s.input.title, s.input.body);
  const bands = minhashBands(`${s.input.title}\n${s.input.body}`);
  const mobileKey = await mobileKeyOf(s.atRest, s.input.mobile);
  const dup = findDuplicate({ mobileKey, title: s.input.title, body: s.input.body }, await duplicateCandidates(db, s.campaignId, mobileKey, fp, bands));
  if (dup) {
    // a copy of a merged item belongs to what it was merged into
    const target = (dup.of as ExistingText & { duplicateOf: number | null }).duplicateOf;
    const original = target ? ((await db.select({ seq: suggestions.seq, code: suggestions.code }).from(suggestions).where(eq(suggestions.seq, target)))[0] ?? dup.of) : dup.of;
    if (dup.kind === 'near_identical') {
      await db
        .insert(suggestionSupporters)
        .values({ id: uuidv7(), suggestionSeq: original.seq, authorName: s.input.authorName, mobileKey, similarity: dup.similarity, createdAt: s.now ?? Date.now() })
        .onConflictDoNothing();
    }
    return { kind: dup.kind, code: original.code, similarity: dup.similarity };
  }
  const code = randomCode('JY');
  const sealed = await sealAuthor(s.atRest, code, s.input, mobileKey);
  const [inserted] = (await write(insertStatements(db, s, code, fp, bands, sealed, true), db)) as [unknown[]];
  // the insert's RETURNING says whether the row went in
  if (inserted.length) return { kind: 'created', code };
  // another process or isolate stored the same text first: it is found as a repeat now
  if (retried) throw new AppError(409, 'SUGGESTION_CONFLICT', '建议提交冲突,请稍后重试');
  return createOne(db, s, write, true);
}

/** Statements that insert many checked rows (a CSV batch); codes are returned in row order. */
export async function batchInsertStatements(db: Db, campaignId: string, rows: SuggestionInput[], atRest: AtRest, now = Date.now()): Promise<{ codes: string[]; statements: BatchItem<'sqlite'>[] }> {
  const codes: string[] = [];
  const statements: BatchItem<'sqlite'>[] = [];
  for (const input of rows) {
    const code = randomCode('JY');
    codes.push(code);
    // a batch carries no notification choice
    const sealed = await sealAuthor(atRest, code, { ...input, notify: 'none' });
    statements.push(...insertStatements(db, { campaignId, source: 'batch', input, now }, code, fingerprint(input.title, input.body), minhashBands(`${input.title}\n${input.body}`), sealed));
  }
  return { codes, statements };
}

/** Fingerprints among `fps` that the campaign already holds (for batch duplicates). */
export async function existingFingerprints(db: Db, campaignId: string, fps: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const chunk of chunkRows(fps.map((f) => ({ f })))) {
    const rows = await db
      .select({ fp: suggestions.fingerprint, code: suggestions.code })
      .from(suggestions)
      .where(and(eq(suggestions.campaignId, campaignId), inArray(suggestions.fingerprint, chunk.map((c) => c.f))));
    for (const r of rows) out.set(r.fp, r.code);
  }
  return out;
}

// ---------------------------------------------------------------- reads

/** A suggestion by its tracking code, however it was typed (see canonicalCode). */
export async function findByCode(db: Db, campaignId: string | undefined, typed: string): Promise<Suggestion | undefined> {
  const code = canonicalCode('tracking', typed);
  if (!code) return undefined;
  const [row] = await db
    .select()
    .from(suggestions)
    .where(and(eq(suggestions.code, code), campaignId ? eq(suggestions.campaignId, campaignId) : undefined));
  return row;
}

export async function assignmentsOf(db: Db, seq: number): Promise<Assignment[]> {
  return db.select().from(suggestionAssignments).where(eq(suggestionAssignments.suggestionSeq, seq)).orderBy(asc(suggestionAssignments.assignedAt));
}

export async function supportersOf(db: Db, seq: number) {
  return db.select().from(suggestionSupporters).where(eq(suggestionSupporters.suggestionSeq, seq)).orderBy(asc(suggestionSupporters.createdAt));
}

export async function supporterCounts(db: Db, seqs: number[]): Promise<Map<number, number>> {
  if (!seqs.length) return new Map();
  const rows = await db
    .select({ seq: suggestionSupporters.suggestionSeq, n: count() })
    .from(suggestionSupporters)
    .where(inArray(suggestionSupporters.suggestionSeq, seqs))
    .groupBy(suggestionSupporters.suggestionSeq);
  return new Map(rows.map((r) => [r.seq, r.n]));
}

export interface QueueFilter {
  status?: SuggestionStatus | 'overdue' | undefined;
  area?: string | undefined;
  page?: number;
}

export const PAGE_SIZE = 30;

/** The dispatcher's queue: newest first, with each item's departments. */
export async function listQueue(db: Db, campaignId: string, f: QueueFilter, now = Date.now()) {
  const where: (SQL | undefined)[] = [eq(suggestions.campaignId, campaignId)];
  if (f.status === 'overdue') where.push(eq(suggestions.status, 'received'), sql`${suggestions.dispatchBy} < ${now}`);
  else if (f.status) where.push(eq(suggestions.status, f.status));
  if (f.area) where.push(eq(suggestions.area, f.area));
  const page = Math.max(1, f.page ?? 1);
  const [rows, [total]] = await Promise.all([
    db
      .select()
      .from(suggestions)
      .where(and(...where))
      .orderBy(desc(suggestions.seq))
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE),
    db.select({ n: count() }).from(suggestions).where(and(...where)),
  ]);
  const assigns = rows.length ? await db.select().from(suggestionAssignments).where(inArray(suggestionAssignments.suggestionSeq, rows.map((r) => r.seq))) : [];
  return { rows: rows.map((r) => ({ ...r, assignments: assigns.filter((a) => a.suggestionSeq === r.seq) })), total: total?.n ?? 0, page };
}

/**
 * What a department handler may read of the items routed to it. The author's name, mobile and
 * email are never part of these rows: they cannot leak into a page or JSON built from them.
 */
export const handlerColumns = {
  seq: suggestions.seq,
  code: suggestions.code,
  theme: suggestions.theme,
  area: suggestions.area,
  title: suggestions.title,
  body: suggestions.body,
  source: suggestions.source,
  suggestionStatus: suggestions.status,
  createdAt: suggestions.createdAt,
  assignmentId: suggestionAssignments.id,
  departmentName: suggestionAssignments.departmentName,
  status: suggestionAssignments.status,
  answer: suggestionAssignments.answer,
  adoption: suggestionAssignments.adoption,
  returnReason: suggestionAssignments.returnReason,
  assignedAt: suggestionAssignments.assignedAt,
  deadlineAt: suggestionAssignments.deadlineAt,
  answeredAt: suggestionAssignments.answeredAt,
};

/** Masks personal data in the title and body (the author's too) and drops the author's identity from the row. */
function forHandler<T extends { title: string; body: string; authorName: string }>(row: T): Omit<T, 'authorName'> {
  const { authorName: _n, ...rest } = row;
  return { ...rest, title: maskForOthers(row.title, row), body: maskForOthers(row.body, row) };
}

// read only to mask them out of the text; never returned
const identityForRedaction = { authorName: suggestions.authorName };

export async function listForDepartment(db: Db, campaignId: string, departmentName: string) {
  const rows = await db
    .select({ ...handlerColumns, ...identityForRedaction })
    .from(suggestionAssignments)
    .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
    .where(and(eq(suggestions.campaignId, campaignId), eq(suggestionAssignments.departmentName, departmentName)))
    .orderBy(desc(suggestionAssignments.assignedAt))
    .limit(500);
  return rows.map(forHandler);
}

export async function handlerItem(db: Db, campaignId: string, code: string, departmentName: string) {
  const [row] = await db
    .select({ ...handlerColumns, ...identityForRedaction })
    .from(suggestionAssignments)
    .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
    .where(and(eq(suggestions.campaignId, campaignId), eq(suggestions.code, code), eq(suggestionAssignments.departmentName, departmentName)))
    .orderBy(desc(suggestionAssignments.assignedAt))
    .limit(1);
  return row && forHandler(row);
}

// ---------------------------------------------------------------- workflow writes

/** Sets the active departments of a suggestion: new ones are added, dropped ones that have not answered are removed. */
export function dispatchStatements(
  db: Db,
  s: Suggestion,
  current: Assignment[],
  chosen: { id: string; name: string; score: number | null }[],
  now: number,
  nextStatus: SuggestionStatus,
): BatchItem<'sqlite'>[] {
  const active = current.filter((a) => a.status !== 'returned' && a.status !== 'reopened');
  const keep = new Set(chosen.map((c) => c.name));
  const out: BatchItem<'sqlite'>[] = [];
  for (const a of active) {
    if (keep.has(a.departmentName) || a.status === 'answered') continue;
    out.push(db.update(suggestionAssignments).set({ status: 'returned', returnReason: '分派调整(改派其他部门)', version: sql`${suggestionAssignments.version} + 1` }).where(eq(suggestionAssignments.id, a.id)));
  }
  const have = new Set(active.map((a) => a.departmentName));
  for (const c of chosen) {
    if (have.has(c.name)) continue;
    out.push(
      db.insert(suggestionAssignments).values({ id: uuidv7(), suggestionSeq: s.seq, departmentId: c.id, departmentName: c.name, routingScore: c.score, assignedAt: now, deadlineAt: answerDeadline(now), round: s.reopenRound }),
    );
  }
  out.push(db.update(suggestions).set({ status: nextStatus, dispatchedAt: s.dispatchedAt ?? now }).where(eq(suggestions.seq, s.seq)));
  // searchable from now on
  out.push(...reindexPublic(db, s, s.publicAnswer));
  return out;
}

type Indexable = { seq: number; title: string; body: string; authorName: string };

/**
 * Writes a suggestion's entries in both public search indexes, from its MASKED title and body
 * (and the published answer): what the public cannot read, it cannot search for either.
 */
export function reindexPublic(db: Db, s: Indexable, answer: string): BatchItem<'sqlite'>[] {
  const title = maskForOthers(s.title, s);
  const body = maskForOthers(s.body, s);
  // FTS5 takes no upsert and D1's batch takes builders only: delete, then insert
  return [
    db.delete(suggestionsFts).where(eq(suggestionsFts.rowid, s.seq)),
    db.insert(suggestionsFts).values({ rowid: s.seq, title, body, publicAnswer: answer }),
    db.delete(suggestionsBigrams).where(eq(suggestionsBigrams.rowid, s.seq)),
    db.insert(suggestionsBigrams).values({ rowid: s.seq, grams: bigramTokens(title, body, answer) }),
  ];
}

/**
 * The FTS5 indexes (created by the custom migrations 0007 and 0011, so they are not in the
 * drizzle schema): declared here only so batch statements can be query builders.
 */
const suggestionsBigrams = sqliteTable('suggestions_bigrams', { rowid: integer('rowid').notNull(), grams: text('grams').notNull() });
const suggestionsFts = sqliteTable('suggestions_fts', { rowid: integer('rowid').notNull(), title: text('title').notNull(), body: text('body').notNull(), publicAnswer: text('public_answer').notNull() });

const PUBLIC_INDEXED: SuggestionStatus[] = ['dispatched', 'in_progress', 'answered', 'published'];

/**
 * Indexes the public suggestions that have no entry yet (after migration 0011 dropped the old
 * index of unmasked text, or after the masking rules change and the index is emptied). Run at
 * start; one cheap query when nothing is missing. Returns how many were indexed.
 */
export async function reindexPublicSuggestions(db: Db): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db
      .select({ seq: suggestions.seq, title: suggestions.title, body: suggestions.body, authorName: suggestions.authorName, publicAnswer: suggestions.publicAnswer })
      .from(suggestions)
      .where(and(inArray(suggestions.status, PUBLIC_INDEXED), sql`${suggestions.seq} NOT IN (SELECT rowid FROM suggestions_fts)`))
      .limit(200);
    if (!rows.length) return total;
    const statements = rows.flatMap((r) => reindexPublic(db, r, r.publicAnswer));
    await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
    total += rows.length;
  }
}

export function setSuggestion(db: Db, seq: number, set: Partial<typeof suggestions.$inferInsert>) {
  return db.update(suggestions).set(set).where(eq(suggestions.seq, seq));
}

/** Every change of an assignment bumps its version, which `handlingUnchanged` re-checks. */
export function setAssignment(db: Db, id: string, set: Partial<typeof suggestionAssignments.$inferInsert>) {
  return db.update(suggestionAssignments).set({ ...set, version: sql`${suggestionAssignments.version} + 1` }).where(eq(suggestionAssignments.id, id));
}

/**
 * The handling a decision was made on is still the handling in the database: the suggestion at
 * the status read, and its assignments exactly those read, each at the version read. A status
 * derived from all departments' answers is then derived from current ones (two departments
 * answering at once do not each see the other as pending), and an answer cannot land on an
 * assignment withdrawn or re-dispatched meanwhile.
 */
export function handlingUnchanged(db: Db, seq: number, status: SuggestionStatus, assignments: readonly Assignment[], otherwise: Error): Precondition[] {
  return [
    stillHolds(db, suggestions, and(eq(suggestions.seq, seq), eq(suggestions.status, status)), otherwise),
    { holds: sql`(SELECT count(*) FROM ${suggestionAssignments} WHERE ${suggestionAssignments.suggestionSeq} = ${seq}) = ${assignments.length}`, otherwise },
    ...assignments.map((a) => stillHolds(db, suggestionAssignments, and(eq(suggestionAssignments.id, a.id), eq(suggestionAssignments.version, a.version)), otherwise)),
  ];
}

// ---------------------------------------------------------------- routing model

const ROUTER_TTL = 10 * 60 * 1000;
const routerCache = new LruCache<string, { key: string; router: Router }>({ max: 8, ttlMs: ROUTER_TTL });
/** The most recent dispatched items the model learns from (bounded so a rebuild stays cheap). */
export const HISTORY_LIMIT = 3000;

/**
 * The campaign's routing model: department profiles plus recent dispatched suggestions. Cached
 * per isolate and rebuilt when dispatches or duties change (cheap count/max probe), or after 10 minutes.
 */
export async function routerFor(db: Db, campaignId: string): Promise<Router> {
  const depts = await loadDepartments(db, campaignId);
  // What the history depends on, in two index seeks instead of a scan of every assignment (which
  // cost ~100 ms at 100,000 suggestions): the newest assignment row (every dispatch, reassignment
  // and split inserts one) and how many of the campaign's assignments were returned (a department
  // sending an item back, or a reassignment, withdraws one from the history).
  const [probe] = await db
    .select({
      last: sql<number | null>`(SELECT max(rowid) FROM ${suggestionAssignments})`,
      returned: sql<number>`(SELECT count(*) FROM ${suggestionAssignments} WHERE ${inArray(suggestionAssignments.departmentId, depts.length ? depts.map((d) => d.id) : ['-'])} AND ${eq(suggestionAssignments.status, 'returned')})`,
    })
    .from(sql`(SELECT 1)`);
  const key = `${probe?.last ?? 0}:${probe?.returned ?? 0}:${depts.reduce((s, d) => s + d.duties.length + d.goals.length + d.report.length, 0)}`;
  const hit = routerCache.get(campaignId);
  if (hit && hit.key === key) return hit.router;
  const history = depts.length
    ? await db
        .select({ department: suggestionAssignments.departmentName, title: suggestions.title, body: suggestions.body })
        .from(suggestionAssignments)
        .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
        .where(and(eq(suggestions.campaignId, campaignId), ne(suggestionAssignments.status, 'returned')))
        .orderBy(desc(suggestionAssignments.assignedAt))
        .limit(HISTORY_LIMIT)
    : [];
  const router = buildRouter(
    depts.map((d) => ({ name: d.name, duties: d.duties, goals: d.goals, report: d.report })),
    history.map((h) => ({ department: h.department, text: `${h.title} ${h.body}` })),
    { vocabulary: routingVocabulary, segment: citySegmenter(depts.map((d) => d.name)) },
  );
  routerCache.set(campaignId, { key, router });
  return router;
}

// ---------------------------------------------------------------- public column

export type PublicStatusFilter = 'published' | 'handling' | 'all';

export interface SearchFilter {
  q?: string | undefined;
  area?: string | undefined;
  department?: string | undefined;
  status?: PublicStatusFilter | undefined;
  page?: number | undefined;
  pageSize?: number | undefined;
}

const PUBLIC_STATUSES: Record<PublicStatusFilter, SuggestionStatus[]> = {
  published: ['published'],
  handling: ['dispatched', 'in_progress', 'answered'],
  all: ['published', 'dispatched', 'in_progress', 'answered'],
};

/** A phrase for FTS5: double quotes doubled, the whole term quoted (no operators from users). */
const ftsPhrase = (term: string) => `"${term.replace(/"/g, '""')}"`;
const likeEscape = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Keyword search: whitespace splits terms, all must match. Terms of 3+ characters go through
 * the FTS5 trigram index; two-character words (交通) through the bigram index, which the
 * application maintains; anything else (one character, punctuation) through LIKE.
 *
 * One full-text index drives the query (`driver`: the trigram index when a term is long enough,
 * else the bigram index), read newest first and joined to the suggestions, so a common phrase
 * (明年上半年, in every published answer) stops after a page of hits instead of listing all of
 * them first; the other terms are checked per hit.
 */
export function keywordQuery(q: string): { driver?: { table: 'suggestions_fts' | 'suggestions_bigrams'; match: string }; rest: SQL[] } | undefined {
  const terms = q
    .normalize('NFKC')
    .split(/[\s,,、;;]+/)
    .map((t) => t.trim())
    .filter(Boolean)
    .slice(0, 8);
  if (!terms.length) return undefined;
  const isTwo = (x: string) => /^[\p{Script=Han}a-z0-9]{2}$/u.test(x.toLowerCase());
  const long = terms.filter((t) => [...t].length >= 3);
  const short = terms.filter((t) => [...t].length < 3);
  const twoChar = short.filter(isTwo).map((t) => ftsPhrase(t.toLowerCase()));
  const rest: SQL[] = [];
  let driver: { table: 'suggestions_fts' | 'suggestions_bigrams'; match: string } | undefined;
  if (long.length) driver = { table: 'suggestions_fts', match: long.map(ftsPhrase).join(' AND ') };
  else if (twoChar.length) driver = { table: 'suggestions_bigrams', match: twoChar.shift()! };
  // a two-character word is one token of the bigram index
  if (twoChar.length) rest.push(sql`${suggestions.seq} IN (SELECT rowid FROM suggestions_bigrams WHERE suggestions_bigrams MATCH ${twoChar.join(' AND ')})`);
  for (const t of short.filter((x) => !isTwo(x))) {
    const pattern = `%${likeEscape(t)}%`;
    // over the index's masked text, not the text as typed
    rest.push(
      sql`${suggestions.seq} IN (SELECT rowid FROM suggestions_fts WHERE title LIKE ${pattern} ESCAPE '\\' OR body LIKE ${pattern} ESCAPE '\\' OR public_answer LIKE ${pattern} ESCAPE '\\')`,
    );
  }
  return { ...(driver ? { driver } : {}), rest };
}

/** Hits are counted up to this many ("1000+ 条"): an exact count of a common word costs a full scan. */
export const COUNT_CAP = 1000;

export async function searchPublic(db: Db, campaignId: string, f: SearchFilter) {
  const where: (SQL | undefined)[] = [eq(suggestions.campaignId, campaignId), inArray(suggestions.status, PUBLIC_STATUSES[f.status ?? 'published'])];
  if (f.area) where.push(eq(suggestions.area, f.area));
  if (f.department) {
    where.push(
      sql`EXISTS (SELECT 1 FROM suggestion_assignments a WHERE a.suggestion_seq = ${suggestions.seq} AND a.department_name = ${f.department} AND a.status <> 'returned')`,
    );
  }
  const kw = f.q ? keywordQuery(f.q) : undefined;
  if (kw) where.push(...kw.rest);
  const size = f.pageSize ?? 20;
  const page = Math.max(1, f.page ?? 1);
  const cols = {
    seq: suggestions.seq,
    code: suggestions.code,
    authorName: suggestions.authorName,
    theme: suggestions.theme,
    area: suggestions.area,
    title: suggestions.title,
    body: suggestions.body,
    status: suggestions.status,
    publicAnswer: suggestions.publicAnswer,
    adoption: suggestions.adoption,
    createdAt: suggestions.createdAt,
    publishedAt: suggestions.publishedAt,
  };
  const d = kw?.driver;
  const index = d?.table === 'suggestions_fts' ? suggestionsFts : suggestionsBigrams;
  const offset = (page - 1) * size;
  // with a keyword, the full-text index is the outer loop, newest hit first (FTS5 reads rowids in
  // descending order itself), and each hit's row is looked up by its key. CROSS JOIN is SQLite's
  // way to fix that order: left to its own choice, the planner walked every published suggestion
  // and ran the MATCH once per row (139 ms for a phrase with 46 hits at 20,000).
  const matching = d ? and(sql`${sql.identifier(d.table)} MATCH ${d.match}`, ...where) : and(...where);
  const [rows, [total]] = await Promise.all([
    d
      ? db.select(cols).from(index).crossJoin(suggestions).where(and(eq(suggestions.seq, index.rowid), matching)).orderBy(desc(index.rowid)).limit(size).offset(offset)
      : db.select(cols).from(suggestions).where(matching).orderBy(desc(suggestions.seq)).limit(size).offset(offset),
    db
      .select({ n: count() })
      .from(
        (d
          ? db.select({ one: sql`1` }).from(index).crossJoin(suggestions).where(and(eq(suggestions.seq, index.rowid), matching))
          : db.select({ one: sql`1` }).from(suggestions).where(matching)
        )
          .limit(COUNT_CAP + 1)
          .as('hits'),
      ),
  ]);
  const assigns = rows.length
    ? await db
        .select({ seq: suggestionAssignments.suggestionSeq, name: suggestionAssignments.departmentName })
        .from(suggestionAssignments)
        .where(and(inArray(suggestionAssignments.suggestionSeq, rows.map((r) => r.seq)), ne(suggestionAssignments.status, 'returned')))
    : [];
  return {
    rows: rows.map((r) => ({ ...r, departments: [...new Set(assigns.filter((a) => a.seq === r.seq).map((a) => a.name))] })),
    total: Math.min(total?.n ?? 0, COUNT_CAP),
    totalCapped: (total?.n ?? 0) > COUNT_CAP,
    page,
    pageSize: size,
  };
}

// ---------------------------------------------------------------- statistics

export async function loadStatistics(db: Db, campaignId: string, now = Date.now()) {
  const inCampaign = eq(suggestions.campaignId, campaignId);
  const [byStatus, byArea, byTheme, byDept, handled, overdueDispatch, overdueAnswers] = await Promise.all([
    db.select({ key: suggestions.status, n: count() }).from(suggestions).where(inCampaign).groupBy(suggestions.status),
    db.select({ key: suggestions.area, n: count() }).from(suggestions).where(inCampaign).groupBy(suggestions.area),
    db.select({ key: suggestions.theme, n: count() }).from(suggestions).where(inCampaign).groupBy(suggestions.theme),
    db
      .select({ key: suggestionAssignments.departmentName, n: count() })
      .from(suggestionAssignments)
      .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
      .where(and(inCampaign, ne(suggestionAssignments.status, 'returned')))
      .groupBy(suggestionAssignments.departmentName),
    db
      .select({ created: suggestions.createdAt, answered: suggestions.answeredAt })
      .from(suggestions)
      .where(and(inCampaign, isNotNull(suggestions.answeredAt))),
    db
      .select({ code: suggestions.code, title: suggestions.title, deadline: suggestions.dispatchBy, ...identityForRedaction })
      .from(suggestions)
      .where(and(inCampaign, eq(suggestions.status, 'received'), sql`${suggestions.dispatchBy} < ${now}`))
      .orderBy(asc(suggestions.dispatchBy))
      .limit(200),
    db
      .select({ code: suggestions.code, title: suggestions.title, department: suggestionAssignments.departmentName, deadline: suggestionAssignments.deadlineAt, ...identityForRedaction })
      .from(suggestionAssignments)
      .innerJoin(suggestions, eq(suggestions.seq, suggestionAssignments.suggestionSeq))
      .where(and(inCampaign, inArray(suggestionAssignments.status, ['dispatched', 'in_progress']), sql`${suggestionAssignments.deadlineAt} < ${now}`))
      .orderBy(asc(suggestionAssignments.deadlineAt))
      .limit(200),
  ]);
  // statisticians read these lists too: titles masked, no identity
  const masked = <T extends { title: string; authorName: string }>({ authorName: _n, ...rest }: T) => ({ ...rest, title: maskForOthers(rest.title, { authorName: _n }) });
  return { byStatus, byArea, byTheme, byDept, handlingTimes: handled.map((h) => h.answered! - h.created), overdueDispatch: overdueDispatch.map(masked), overdueAnswers: overdueAnswers.map(masked) };
}

// ---------------------------------------------------------------- excellent suggestions

export async function listExcellence(db: Db, campaignId: string) {
  const rows = await db
    .select()
    .from(suggestions)
    .where(and(eq(suggestions.campaignId, campaignId), inArray(suggestions.excellence, ['shortlisted', 'selected'])))
    .orderBy(asc(suggestions.seq));
  const scores = rows.length ? await db.select().from(suggestionScores).where(inArray(suggestionScores.suggestionSeq, rows.map((r) => r.seq))) : [];
  return { rows, scores };
}

export async function publishedExcellent(db: Db, campaignId: string) {
  return db
    .select({
      seq: suggestions.seq,
      code: suggestions.code,
      authorName: suggestions.authorName,
      title: suggestions.title,
      area: suggestions.area,
      theme: suggestions.theme,
      adoption: suggestions.adoption,
      publishedAt: suggestions.excellentPublishedAt,
    })
    .from(suggestions)
    .where(and(eq(suggestions.campaignId, campaignId), eq(suggestions.excellence, 'selected'), isNotNull(suggestions.excellentPublishedAt)))
    .orderBy(asc(suggestions.seq));
}

export function upsertScore(db: Db, row: { suggestionSeq: number; reviewerId: string; reviewerName: string; score: number; comment: string; at: number }) {
  return db
    .insert(suggestionScores)
    .values(row)
    .onConflictDoUpdate({ target: [suggestionScores.suggestionSeq, suggestionScores.reviewerId], set: { score: row.score, comment: row.comment, at: row.at } });
}

export type { Adoption };
