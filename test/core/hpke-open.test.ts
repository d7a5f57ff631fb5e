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
