import { describe, expect, it } from 'vitest';
import {
  closedEverywhere,
  combineShares,
  commitmentRoot,
  parseShareInput,
  printableShare,
  seatOfShare,
  shuffled,
  splitKey,
} from '../../src/tally/ceremony.core';
import { generateTallyKeyPair, openBallot, publicKeyOf, sealBallot } from '../../src/tally/seal.core';

describe('the key ceremony', () => {
  it('rebuilds the key from any 3 of 5 shares, and not from 2', async () => {
    const pair = await generateTallyKeyPair();
    const shares = await splitKey(pair.privateKey.slice(), '2018', 1, 5, 3);
    expect(shares.map((s) => s.seat)).toEqual([1, 2, 3, 4, 5]);
    for (const pick of [[0, 1, 2], [1, 3, 4], [4, 0, 2]]) {
      const key = await combineShares(pick.map((i) => shares[i]!.shareHex));
      expect(await publicKeyOf(key)).toBe(pair.publicKey);
    }
    const two = await combineShares([shares[0]!.shareHex, shares[1]!.shareHex]);
    expect(await publicKeyOf(two)).not.toBe(pair.publicKey);
    const sealed = await sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 1, answers: [1, null] });
    await expect(openBallot(two, '2018', 1, sealed)).rejects.toThrow();
  });

  it('publishes a fingerprint per share that finds its seat, and the printed code reads back', async () => {
    const pair = await generateTallyKeyPair();
    const shares = await splitKey(pair.privateKey, '2018', 2, 5, 3);
    const seats = shares.map((s) => ({ seatNo: s.seat, fingerprint: s.fingerprint }));
    const code = printableShare(2, 4, shares[3]!.shareHex);
    expect(code).toMatch(/^2-4:[0-9a-f]{6}(-[0-9a-f]{1,6})+$/);
    const parsed = parseShareInput(`  ${code.toUpperCase()}\n`)!;
    expect(parsed).toEqual({ shareHex: shares[3]!.shareHex, seat: 4, group: 2 });
    expect(seatOfShare('2018', 2, parsed.shareHex, seats)).toBe(4);
    expect(seatOfShare('2018', 1, parsed.shareHex, seats)).toBeNull();
    expect(parseShareInput('not a share')).toBeNull();
    expect(parseShareInput(JSON.stringify({ kind: 'sanmin-tally-share', share: shares[0]!.shareHex, seat: 1, group: 2 }))!.shareHex).toBe(shares[0]!.shareHex);
  });
});

describe('the closing commitment', () => {
  const r = (n: number) => n.toString(16).padStart(64, '0');
  it('has a root that does not depend on the order receipts are read in, and changes with any receipt', () => {
    const a = commitmentRoot('2018', 1, [r(3), r(1), r(2)]);
    expect(commitmentRoot('2018', 1, [r(1), r(2), r(3)])).toBe(a);
    expect(commitmentRoot('2018', 1, [r(1), r(2)])).not.toBe(a);
    expect(commitmentRoot('2018', 2, [r(1), r(2), r(3)])).not.toBe(a);
  });

  it('counts a group as closed only when every venue with seats has a closed session', () => {
    expect(closedEverywhere(['主会场', '市南区'], [{ venueName: '主会场', state: 'closed' }, { venueName: '市南区', state: 'closed' }])).toEqual({ closed: true, notClosed: [] });
    expect(closedEverywhere(['主会场', '市南区'], [{ venueName: '主会场', state: 'closed' }, { venueName: '市南区', state: 'open' }]).notClosed).toEqual(['市南区']);
    expect(closedEverywhere(['主会场', '市南区'], [{ venueName: '主会场', state: 'closed' }]).notClosed).toEqual(['市南区']);
    expect(closedEverywhere([], []).closed).toBe(false);
  });

  it('shuffles without losing or adding items', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const s = shuffled(items);
    expect([...s].sort((a, b) => a - b)).toEqual(items);
  });
});
