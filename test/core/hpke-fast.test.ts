import { describe, expect, it } from 'vitest';
import { fastBytesOpener, fastOpener, sealBallotFast, sealFast } from '../../src/tally/hpke-fast.core';
import { fromB64url, generateTallyKeyPair, openBallot, openBytes, sealBallot } from '../../src/tally/seal.core';

describe('the fast ballot opener', () => {
  it('opens exactly what @hpke/core opens, and refuses a ballot of another group or an altered one', async () => {
    const pair = await generateTallyKeyPair();
    const open = (await fastOpener(pair.privateKey, '2018', 3))!;
    expect(open).toBeTypeOf('function');
    for (const answers of [[1, 2, null, 4], [null, null, null, null], Array.from({ length: 12 }, (_, i) => (i % 4) + 1)]) {
      const ct = await sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 3, answers });
      expect(open(ct)).toEqual(await openBallot(pair.privateKey, '2018', 3, ct));
    }
    const other = await sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 2, answers: [1] });
    expect(() => open(other)).toThrow();
    const ct = await sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 3, answers: [1] });
    const altered = ct.slice(0, 60) + (ct[60] === 'A' ? 'B' : 'A') + ct.slice(61);
    expect(() => open(altered)).toThrow();
  });
});

describe('opening a group of ballots', () => {
  it('gives the same ballots on the fast path and on @hpke/core (the Workers fallback), nulls for foreign ones', async () => {
    const { openBallots } = await import('../../src/tally/verify.core');
    const pair = await generateTallyKeyPair();
    const cts = await Promise.all([
      sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 1, answers: [1, 2, 3] }),
      sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 1, answers: [null, 4, 9] }), // 9 is not on the scale
      sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 2, answers: [1, 1, 1] }), // another group
      sealBallot(pair.publicKey, { v: 1, campaign: '2018', group: 1, answers: [4, 4] }), // too short
    ]);
    const positions = new Set([1, 2, 3, 4]);
    const fast = await openBallots(pair.privateKey, '2018', 1, cts, 3, positions);
    const slow = await openBallots(pair.privateKey, '2018', 1, cts, 3, positions, { fast: false });
    expect(fast).toEqual([[1, 2, 3], null, null, null]);
    expect(slow).toEqual(fast);
  });
});

describe('the fast sealer', () => {
  it('seals what @hpke/core opens, bound to its info, fresh every time', async () => {
    const pair = await generateTallyKeyPair();
    const content = { v: 1 as const, campaign: '2018', group: 4, answers: [3, null, 1] };
    const a = await sealBallotFast(pair.publicKey, content);
    const b = await sealBallotFast(pair.publicKey, content);
    expect(a).not.toBe(b); // a fresh ephemeral key each time: equal ballots do not look equal
    expect(fromB64url(a).length).toBe(fromB64url(await sealBallot(pair.publicKey, content)).length);
    expect(await openBallot(pair.privateKey, '2018', 4, a)).toEqual(content);
    await expect(openBallot(pair.privateKey, '2018', 5, a)).rejects.toThrow();
    const other = await generateTallyKeyPair();
    await expect(openBallot(other.privateKey, '2018', 4, a)).rejects.toThrow();
  });

  it('round-trips arbitrary bytes with either implementation on either side', async () => {
    const pair = await generateTallyKeyPair();
    const info = new TextEncoder().encode('sanmin-survey-v1|test');
    const text = new TextEncoder().encode('问卷答案 '.repeat(40));
    const open = (await fastBytesOpener(pair.privateKey, info))!;
    expect(open).toBeTypeOf('function');
    const sealed = await sealFast(pair.publicKey, info, text);
    expect(new Uint8Array(await openBytes(pair.privateKey, info, sealed))).toEqual(text);
    expect(new Uint8Array(open(sealed))).toEqual(text);
  });
});
