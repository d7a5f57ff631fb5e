import { describe, expect, it } from 'vitest';
import { changeDigest, nextEntry, verifyChain, type AuditRow } from '../../src/audit/audit.core';

function chain(n: number): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let i = 0; i < n; i++) {
    rows.push(nextEntry(rows.at(-1), { at: 1_700_000_000_000 + i, actorId: 'u1', actorName: 'alice', action: 'department.update', target: `d${i}`, digest: changeDigest({ i }) }));
  }
  return rows;
}

describe('the audit hash chain', () => {
  it('verifies an untouched chain', () => {
    const v = verifyChain(chain(5));
    expect(v).toMatchObject({ ok: true, count: 5 });
  });

  it('names the row whose content was altered', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2]!, actorName: 'mallory' };
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('names the row after a deleted one', () => {
    const rows = chain(5);
    rows.splice(1, 1);
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 2 });
  });

  it('catches a row re-hashed to hide an edit, at the next link', () => {
    const rows = chain(5);
    const { seq: _s, prevHash: _p, hash: _h, ...fields } = rows[1]!;
    const edited = nextEntry(rows[0], { ...fields, target: 'forged' });
    rows[1] = edited;
    expect(verifyChain(rows)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('digests equal changes equally whatever the key order', () => {
    expect(changeDigest({ a: 1, b: { c: 2, d: 3 } })).toBe(changeDigest({ b: { d: 3, c: 2 }, a: 1 }));
    expect(changeDigest({ a: 1 })).not.toBe(changeDigest({ a: 2 }));
  });
});
