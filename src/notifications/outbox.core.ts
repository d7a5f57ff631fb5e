/**
 * The outbox's rules, with no I/O: when a failed message is tried again, which provider answers
 * are worth retrying, what a message says, and how a recipient is shown to organisers.
 */
import { fill, TEMPLATES, type NotificationEvent } from './templates.core';

const MINUTE = 60_000;

/** After this many attempts a message is given up (failed, visible to organisers). */
export const MAX_ATTEMPTS = 8;

/** How long a claimed message is reserved for the sender that claimed it. */
export const LEASE_MS = 2 * MINUTE;

/**
 * Wait before attempt `attempts + 1`: 1, 2, 4, 8 … minutes, capped at 6 hours; a provider's
 * rate limit (the number's hourly or daily quota) waits at least an hour.
 */
export function backoffMs(attempts: number, rateLimited = false): number {
  const base = Math.min(2 ** Math.max(0, attempts - 1) * MINUTE, 6 * 60 * MINUTE);
  return rateLimited ? Math.max(base, 60 * MINUTE) : base;
}

/** A provider's refusal: `retryable` ones are tried again later, the rest fail the message. */
export class DeliveryError extends Error {
  constructor(
    readonly code: string,
    readonly retryable: boolean,
    message: string,
    readonly rateLimited = false,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/**
 * Alibaba Cloud SendSms error codes (dysmsapi 2017-05-25) and what to do with each.
 * Per-message faults (a bad number, a template's missing variable) fail the message; flow
 * control and the platform's own faults wait; configuration faults (signature, key, balance)
 * wait too, so fixing the configuration delivers what queued meanwhile.
 */
export function classifyAliyunCode(code: string): { retryable: boolean; rateLimited: boolean } {
  if (code === 'isv.BUSINESS_LIMIT_CONTROL' || code === 'isv.DAY_LIMIT_CONTROL' || code.startsWith('Throttling')) return { retryable: true, rateLimited: true };
  if (code.startsWith('isp.')) return { retryable: true, rateLimited: false };
  const permanent = ['isv.MOBILE_NUMBER_ILLEGAL', 'isv.MOBILE_COUNT_OVER_LIMIT', 'isv.TEMPLATE_MISSING_PARAMETERS', 'isv.INVALID_JSON_PARAM', 'isv.PARAM_LENGTH_LIMIT', 'isv.PARAM_NOT_SUPPORT_URL', 'isv.BLACK_KEY_CONTROL_LIMIT', 'isv.INVALID_PARAMETERS', 'isv.DENY_IP_RANGE'];
  return { retryable: !permanent.includes(code), rateLimited: false };
}

/** SMTP: 4xx replies and network faults are temporary, 5xx permanent (RFC 5321 §4.2.1). */
export function classifySmtp(responseCode: number | undefined): boolean {
  return responseCode === undefined || responseCode < 500;
}

export interface RenderedMessage {
  subject: string;
  text: string;
  sms: string;
  smsParams: Record<string, string>;
}

export function renderMessage(event: NotificationEvent, params: Record<string, string>): RenderedMessage {
  const t = TEMPLATES[event];
  return {
    subject: fill(t.subject, params),
    text: fill(t.text, params),
    sms: t.sms.replace(/\$\{(\w+)\}/g, (whole, name: string) => params[name] ?? whole),
    smsParams: Object.fromEntries(t.smsParams.map((p) => [p, params[p] ?? ''])),
  };
}

/** The SMTP Message-ID of an outbox message: the same on every attempt. */
export const messageIdOf = (id: string, domain: string) => `<${id}@${domain}>`;

export { maskRecipient } from '../lib/pii.core';

/** Beijing date (YYYY-MM-DD) of a deadline, as messages print it. */
export { chinaDate } from '../lib/time.core';
