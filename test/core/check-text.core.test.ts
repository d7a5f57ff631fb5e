import { describe, expect, it } from 'vitest';
import { encode, renderSVG } from 'uqr';
import departments2018 from '../../seed/2018/departments.json';
import { checkRecord, sealOnDevice, verifyCheck, type BallotCheck } from '../../src/tally/device-seal.core';
import { compactCheckText, verifyCheckText } from '../../src/tally/check-text.core';
import { checkQrSize, checkQrSvg, checkQrText } from '../../src/lib/qr';
import { b64url } from '../../src/lib/bytes.core';
import { ballotShapeDigest, generateTallyKeyPair } from '../../src/tally/seal.core';

// the 2018 campaign's group 3: 12 departments, the longest names of the four groups (66 characters)
const group3 = (departments2018 as { name: string; group: number | null }[]).filter((d) => d.group === 3).map((d) => d.name);
const scale = ['满意', '比较满意', '不满意', '不了解'];
const answers = [1, 2, 3, 4, null, 1, 2, 3, 4, 1, 2, 3];

async function honest(): Promise<BallotCheck> {
  const pair = await generateTallyKeyPair();
  const content = { v: 1 as const, campaign: '2018', group: 3, shape: ballotShapeDigest(group3, scale), answers };
  return checkRecord(pair.publicKey, content, await sealOnDevice(pair.publicKey, content), group3, scale);
}

/** The compact text with one field replaced (index as in the array the QR carries). */
const alter = (r: BallotCheck, at: number, value: unknown) => {
  const a = JSON.parse(compactCheckText(r)) as unknown[];
  a[at] = value;
  return JSON.stringify(a);
};
const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);

describe('the check QR text (compact record)', () => {
  it('round-trips: record → QR text → verified, with the same receipt and choices as the full record', async () => {
    expect(group3).toHaveLength(12);
    const r = await honest();
    const full = await verifyCheck(r);
    const viaQr = await verifyCheckText(checkQrText(r));
    expect(full.ok).toBe(true);
    expect(viaQr).toEqual(full);
    if (!viaQr.ok) throw new Error(viaQr.reason);
    expect(viaQr.choices[0]).toEqual({ department: '市政府办公厅', choice: '满意' });
    expect(viaQr.choices[4]).toEqual({ department: '市政府外办', choice: '(空白)' });
    // the full JSON record, as text, is read by the same function (file input, CLI)
    expect(await verifyCheckText(JSON.stringify(r, null, 2))).toEqual(full);
    // what a QR reader may add around it
    expect(await verifyCheckText(`\n ${checkQrText(r)}\r\n`)).toEqual(full);
  });

  it('fits a version-17 QR (85 modules, ECC M) for a 12-department 2018 ballot, where the full record needs version 32', async () => {
    const r = await honest();
    const text = checkQrText(r);
    expect(new TextEncoder().encode(text).length).toBe(501);
    expect(new TextEncoder().encode(JSON.stringify(r)).length).toBe(1459);
    expect(checkQrSize(r)).toEqual({ version: 17, modules: 85 });
    expect(encode(JSON.stringify(r), { ecc: 'M', border: 0 })).toMatchObject({ version: 32, size: 145 });
    const svg = checkQrSvg(r);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toBe(renderSVG(text, { ecc: 'M', border: 4 }));
    // 85 modules and a 4-module quiet zone each side, 10 px a module
    expect(svg).toContain('viewBox="0 0 930 930"');
  });

  it('a device that sealed other choices than it showed: the recomputed ciphertext does not hash to its receipt', async () => {
    const pair = await generateTallyKeyPair();
    const shown = { v: 1 as const, campaign: '2018', group: 3, shape: ballotShapeDigest(group3, scale), answers };
    const sealed = await sealOnDevice(pair.publicKey, { ...shown, answers: [4, ...answers.slice(1)] });
    const v = await verifyCheckText(compactCheckText(checkRecord(pair.publicKey, shown, sealed, group3, scale)));
    expect(v).toEqual({ ok: false, reason: expect.stringContaining('设备封存的不是显示的选择') });
  });

  it('choices altered in the text after the fact (one department, or a blank filled in) are refused', async () => {
    const r = await honest();
    for (const changed of [[2, ...answers.slice(1)], answers.map((a) => a ?? 1)]) {
      expect((await verifyCheckText(alter(r, 7, changed))).ok).toBe(false);
    }
  });

  it('a swapped seed (ikmE) is refused', async () => {
    const r = await honest();
    expect((await verifyCheckText(alter(r, 3, b64url(crypto.getRandomValues(new Uint8Array(32)))))).ok).toBe(false);
    expect((await verifyCheckText(alter(r, 3, flip(r.ikmE)))).ok).toBe(false);
  });

  it('a receipt altered to match another ballot is refused', async () => {
    const r = await honest();
    const other = await honest();
    expect(await verifyCheckText(alter(r, 4, other.receipt))).toEqual({ ok: false, reason: expect.stringContaining('回执') });
    expect((await verifyCheckText(alter(r, 4, r.receipt.toUpperCase()))).ok).toBe(false);
  });

  it('a record moved to another tally key, campaign or group is refused', async () => {
    const r = await honest();
    const other = await generateTallyKeyPair();
    expect((await verifyCheckText(alter(r, 2, other.publicKey))).ok).toBe(false);
    expect((await verifyCheckText(alter(r, 5, '2019'))).ok).toBe(false);
    expect((await verifyCheckText(alter(r, 6, 2))).ok).toBe(false);
  });

  it('garbage, truncated scans and wrongly typed fields end in a Chinese reason, never an exception', async () => {
    const r = await honest();
    const text = checkQrText(r);
    const inputs: unknown[] = [
      '',
      '   ',
      'hello',
      text.slice(0, text.length - 40), // a scan cut short
      'null',
      '42',
      '"sanmin-check"',
      '[]',
      '["sanmin-check"]',
      '["sanmin-check",2]',
      alter(r, 2, 12),
      alter(r, 2, 'not base64!'),
      alter(r, 3, r.ikmE + 'A'), // not canonical base64url
      alter(r, 3, r.ikmE.slice(0, 40)), // a seed of the wrong length
      alter(r, 6, '3'),
      alter(r, 6, 1e308),
      alter(r, 7, 'all'),
      alter(r, 7, [0, ...answers.slice(1)]),
      alter(r, 7, [1.5, ...answers.slice(1)]),
      alter(r, 7, answers.slice(1)), // one answer fewer than departments
      alter(r, 8, [1, 2, 3]),
      alter(r, 8, 'names'),
      alter(r, 9, null),
      JSON.stringify({ ...r, kind: 'other' }),
      JSON.stringify({ ...r, ciphertext: 12 }),
      JSON.stringify({ ...r, ballot: null }),
      '{"__proto__":{"kind":"sanmin-ballot-check","v":1}}',
      `[${'['.repeat(5000)}${']'.repeat(5000)}]`,
      12,
      null,
    ];
    for (const input of inputs) {
      const v = await verifyCheckText(input as string);
      expect(v.ok, String(input).slice(0, 60)).toBe(false);
      if (!v.ok) expect(v.reason, String(input).slice(0, 60)).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
