import { describe, expect, it } from 'vitest';
import { fastOpener } from '../../src/tally/hpke-open';
import { generateTallyKeyPair, openBallot, sealBallot } from '../../src/tally/seal.core';

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
