import { describe, expect, it } from 'vitest';
import { DomainError, domainConflict, domainInvalid } from '../../src/lib/domain-error.core';
import { AppError, fromDomain, httpError, isEditConflict } from '../../src/lib/errors';

describe('domain errors are mapped to HTTP at the edge, once', () => {
  it('keeps the code, the Chinese message and the field messages, and picks the status from the kind', () => {
    const err = fromDomain(domainInvalid('QUOTA_OVER', '名额超出', { seats: '不能超过 12' }));
    expect([err.status, err.code, err.message, err.fields]).toEqual([422, 'QUOTA_OVER', '名额超出', { seats: '不能超过 12' }]);
    expect(fromDomain(domainConflict('ALREADY_CAST', '已投票')).status).toBe(409);
    expect(fromDomain(new DomainError('rate_limited', 'RATE_LIMITED', '太频繁')).status).toBe(429);
    expect(fromDomain(new DomainError('gone', 'PLAINTEXT_REFUSED', '不再接受')).status).toBe(410);
  });

  it('lets a route answer either kind in place, and nothing else', () => {
    expect(httpError(new AppError(409, 'X', 'x'))?.status).toBe(409);
    expect(httpError(domainConflict('EDIT_CONFLICT', '已被修改'))?.status).toBe(409);
    expect(httpError(new Error('disk I/O error'))).toBeNull();
    expect(isEditConflict(domainConflict('EDIT_CONFLICT', '已被修改'))).toBe(true);
    expect(isEditConflict(domainConflict('OTHER', '其他'))).toBe(false);
  });
});
