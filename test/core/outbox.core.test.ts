import { describe, expect, it } from 'vitest';
import { backoffMs, classifyAliyunCode, classifySmtp, maskRecipient, MAX_ATTEMPTS, renderMessage } from '../../src/notifications/outbox.core';
import { percentEncode, rpcSignature, stringToSign } from '../../src/notifications/aliyun-sms.service';
import { NOTIFICATION_EVENTS, TEMPLATES } from '../../src/notifications/templates.core';
import { decideFollowUp, MAX_REOPEN_ROUNDS, validateRating, type FollowUpState } from '../../src/suggestions/suggestions.core';

const MIN = 60_000;

describe('retry backoff', () => {
  it.each([
    [1, false, 1 * MIN],
    [2, false, 2 * MIN],
    [4, false, 8 * MIN],
    [7, false, 64 * MIN],
    [20, false, 360 * MIN],
    [1, true, 60 * MIN],
    [8, true, 128 * MIN],
  ])('after attempt %i (rate limited: %s) the next waits %i ms', (attempts, limited, wait) => {
    expect(backoffMs(attempts, limited)).toBe(wait);
  });
  it('gives up after a bounded number of attempts', () => expect(MAX_ATTEMPTS).toBeLessThanOrEqual(10));
});

describe('provider answers', () => {
  it.each([
    ['isv.BUSINESS_LIMIT_CONTROL', true, true],
    ['isv.DAY_LIMIT_CONTROL', true, true],
    ['Throttling.User', true, true],
    ['isp.SYSTEM_ERROR', true, false],
    ['isv.MOBILE_NUMBER_ILLEGAL', false, false],
    ['isv.TEMPLATE_MISSING_PARAMETERS', false, false],
    // configuration faults wait for the configuration to be fixed, they do not lose the message
    ['isv.SMS_SIGNATURE_ILLEGAL', true, false],
    ['SignatureDoesNotMatch', true, false],
    ['isv.AMOUNT_NOT_ENOUGH', true, false],
  ])('Alibaba Cloud %s: retryable %s, rate limited %s', (code, retryable, rateLimited) => {
    expect(classifyAliyunCode(code)).toEqual({ retryable, rateLimited });
  });
  it.each([
    [421, true],
    [451, true],
    [undefined, true],
    [550, false],
    [553, false],
  ])('SMTP reply %s is retryable: %s', (code, retryable) => expect(classifySmtp(code)).toBe(retryable));
});

describe('Alibaba Cloud RPC signature', () => {
  // the worked example of the SendSms signature documentation (AccessKey testId / testSecret)
  const example: Record<string, string> = {
    AccessKeyId: 'testId',
    Action: 'SendSms',
    Format: 'XML',
    OutId: '123',
    PhoneNumbers: '15300000001',
    RegionId: 'cn-hangzhou',
    SignName: '阿里云短信测试专用',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
    SignatureVersion: '1.0',
    TemplateCode: 'SMS_71390007',
    TemplateParam: '{"customer":"test"}',
    Timestamp: '2017-07-12T02:42:19Z',
    Version: '2017-05-25',
  };
  it('reproduces the documented signature of the worked example', async () => {
    expect(await rpcSignature('testSecret', 'GET', example)).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });
  it('encodes as RFC 3986: space as %20, * as %2A, ~ kept, CJK as UTF-8', () => {
    expect(percentEncode("a b*c~d!'()")).toBe('a%20b%2Ac~d%21%27%28%29');
    expect(percentEncode('青')).toBe('%E9%9D%92');
    expect(stringToSign('POST', { B: '2', A: '1' })).toBe('POST&%2F&A%3D1%26B%3D2');
  });
});

describe('templates', () => {
  it('every event has an e-mail subject, text and an SMS text whose variables it sends', () => {
    for (const e of NOTIFICATION_EVENTS) {
      const t = TEMPLATES[e];
      expect(t.subject.length).toBeGreaterThan(4);
      expect([...t.sms.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]).sort()).toEqual([...t.smsParams].sort());
    }
  });
  it('fills parameters and never leaves a known one unfilled', () => {
    const m = renderMessage('published', { code: 'JYABCD-2345', rateUrl: 'https://x/r' });
    expect(m.text).toContain('JYABCD-2345');
    expect(m.text).toContain('https://x/r');
    expect(m.smsParams).toEqual({ code: 'JYABCD-2345', rateUrl: 'https://x/r' });
  });
  it('shows organisers a recipient masked', () => {
    expect(maskRecipient('13912345678')).toBe('139****5678');
    expect(maskRecipient('zhang@example.com')).toBe('z***@example.com');
  });
});

describe('回访 decisions', () => {
  const s = (over: Partial<FollowUpState> = {}): FollowUpState => ({ status: 'published', reopenRound: 0, closedAt: null, organiserReview: false, ...over });
  it.each([
    ['satisfied', 0, { kind: 'close' }],
    ['basically_satisfied', 0, { kind: 'close' }],
    ['unsatisfied', 0, { kind: 'reopen', round: 1 }],
    ['unsatisfied', 1, { kind: 'reopen', round: 2 }],
    ['unsatisfied', MAX_REOPEN_ROUNDS, { kind: 'organiser' }],
    ['satisfied', MAX_REOPEN_ROUNDS, { kind: 'close' }],
  ] as const)('%s after %i reopen rounds → %o', (rating, reopenRound, decision) => {
    expect(decideFollowUp(s({ reopenRound }), rating)).toEqual(decision);
  });
  it.each([
    [{ status: 'answered' as const }, '尚未公开答复'],
    [{ closedAt: 1 }, '办理已结束'],
    [{ organiserReview: true }, '组委会研究处理'],
  ])('refuses a rating when %o', (over, words) => {
    expect(() => decideFollowUp(s(over), 'satisfied')).toThrow(words);
  });
  it('a 不满意 needs its reason; a long comment is refused', () => {
    expect(validateRating({ rating: 'unsatisfied', comment: '' })).toMatchObject({ ok: false, errors: { comment: expect.stringContaining('不满意的原因') } });
    expect(validateRating({ rating: 'satisfied', comment: '' })).toEqual({ ok: true, value: { rating: 'satisfied', comment: '' } });
    expect(validateRating({ rating: 'great', comment: '' })).toMatchObject({ ok: false, errors: { rating: expect.any(String) } });
    expect(validateRating({ rating: 'satisfied', comment: '好'.repeat(301) })).toMatchObject({ ok: false });
  });
});
