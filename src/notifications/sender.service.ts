/**
 * Delivers the outbox: claims due messages, resolves each recipient (opening the author's sealed
 * contact), sends through the channel's transport with the message's stable id, records the
 * outcome. At least once: a sender that dies between sending and recording leaves the message
 * claimed; once its lease lapses the next drain sends it again with the same id and counts a
 * resend. Runtime-neutral: the Node entry runs it in the server process, the Worker's Cron
 * Trigger runs it for SMS.
 */
import type { Db } from '../db/client';
import type { OutboxChannel } from '../db/schema';
import { openText, type AtRest } from '../lib/at-rest';
import { backoffMs, chinaDate, DeliveryError, LEASE_MS, MAX_ATTEMPTS, messageIdOf, renderMessage, type RenderedMessage } from './outbox.core';
import { claimDue, enqueueReminders, markFailed, markSent, recipientOf, type OutboxRow } from './outbox.repo';
import { NOTIFICATION_EVENTS, type NotificationEvent } from './templates.core';
import { feedbackToken } from './links.service';

import { campaigns } from '../db/schema';
import { eq } from 'drizzle-orm';

export { chinaDate };

export interface OutgoingMessage extends RenderedMessage {
  id: string;
  /** The SMTP Message-ID (e-mail); the SMS OutId is `id` itself. */
  messageId: string;
  to: string;
  event: NotificationEvent;
  attempt: number;
  resend: boolean;
}

export interface Transport {
  send(m: OutgoingMessage): Promise<{ providerId: string }>;
}

export interface SenderDeps {
  db: Db;
  atRest: AtRest | undefined;
  transports: Partial<Record<OutboxChannel, Transport>>;
  /** The site's public address, for links in messages (https://sanmin.qingdao.gov.cn). */
  publicUrl: string;
  /** Domain of the Message-ID. */
  messageDomain?: string;
  now?: () => number;
  leaseMs?: number;
  batch?: number;
  /** Test hook: runs after a transport accepted a message, before the outcome is recorded. */
  afterSend?: (m: OutgoingMessage) => void | Promise<void>;
}

import { contactRow } from './contact.service';
export { contactRow };

/** The stored params plus the links, built here so no link (or its token) sits in the outbox. */
async function linkParams(deps: SenderDeps, m: OutboxRow, code: string | undefined): Promise<Record<string, string>> {
  const params = JSON.parse(m.params) as Record<string, string>;
  const base = deps.publicUrl.replace(/\/$/, '');
  const [row] = await deps.db.select({ code: campaigns.code }).from(campaigns).where(eq(campaigns.id, m.campaignId));
  const campaign = row?.code ?? '';
  if (code) {
    params['trackUrl'] = `${base}/c/${campaign}/suggestions/track?code=${encodeURIComponent(code)}`;
    if (deps.atRest) params['rateUrl'] = `${base}/c/${campaign}/suggestions/${code}/feedback?t=${await feedbackToken(deps.atRest, code)}`;
  }
  // a citizen's own tracking code is the one their contact is sealed to
  if (code) params['code'] ??= code;
  if (m.userId !== null && params['code']) params['handlingUrl'] = `${base}/staff/c/${campaign}/handling/${params['code']}`;
  if (params['original']) params['originalUrl'] = `${base}/c/${campaign}/suggestions/track?code=${encodeURIComponent(params['original'])}`;
  return params;
}

export async function drainOutbox(deps: SenderDeps): Promise<{ sent: number; retrying: number; failed: number }> {
  const now = deps.now ?? Date.now;
  const channels = (Object.keys(deps.transports) as OutboxChannel[]).filter((ch) => deps.transports[ch]);
  const claimed = await claimDue(deps.db, channels, now(), deps.leaseMs ?? LEASE_MS, deps.batch ?? 50);
  const out = { sent: 0, retrying: 0, failed: 0 };
  for (const m of claimed) {
    const fail = async (err: DeliveryError) => {
      const giveUp = !err.retryable || m.attempts >= MAX_ATTEMPTS;
      await markFailed(deps.db, m, err.message.slice(0, 300), giveUp ? null : now() + backoffMs(m.attempts, err.rateLimited));
      out[giveUp ? 'failed' : 'retrying']++;
    };
    if (!(NOTIFICATION_EVENTS as readonly string[]).includes(m.event)) {
      await fail(new DeliveryError('UNKNOWN_EVENT', false, `unknown event ${m.event}`));
      continue;
    }
    const recipient = await recipientOf(deps.db, m);
    let to: string | undefined;
    let code: string | undefined;
    if (recipient && 'sealed' in recipient) {
      code = recipient.code;
      // the key may be missing on this runtime: wait for one that has it
      if (!deps.atRest) {
        await fail(new DeliveryError('SECRET_KEY_MISSING', true, 'no data-encryption key to open the contact'));
        continue;
      }
      try {
        to = await openText(deps.atRest, contactRow(recipient.code), recipient.sealed);
      } catch {
        await fail(new DeliveryError('CONTACT_UNREADABLE', false, 'the sealed contact does not open under this key'));
        continue;
      }
    } else if (recipient) to = recipient.plain;
    if (!to) {
      await fail(new DeliveryError('NO_RECIPIENT', false, 'the recipient has no address'));
      continue;
    }
    const event = m.event as NotificationEvent;
    const message: OutgoingMessage = {
      ...renderMessage(event, await linkParams(deps, m, code)),
      id: m.id,
      messageId: messageIdOf(m.id, deps.messageDomain ?? 'sanmin.local'),
      to,
      event,
      attempt: m.attempts,
      resend: m.resends > 0,
    };
    let providerId: string;
    try {
      ({ providerId } = await deps.transports[m.channel]!.send(message));
    } catch (err) {
      await fail(err instanceof DeliveryError ? err : new DeliveryError('SEND_FAILED', true, String((err as Error)?.message ?? err)));
      continue;
    }
    await deps.afterSend?.(message);
    await markSent(deps.db, m, providerId, now());
    out.sent++;
  }
  return out;
}

/** How often the day-10/day-14 reminders are looked for (they are dated by the day, not the second). */
export const REMINDER_SCAN_MS = 60_000;

/** Node: drains every `intervalMs` in the server process until stopped (and queues reminders each minute); one drain at a time. */
export function runSender(deps: SenderDeps, intervalMs = 5_000, onError: (err: unknown) => void = (err) => console.error('outbox sender:', err)): () => void {
  let running = false;
  let lastScan = -Infinity;
  const now = deps.now ?? Date.now;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    const scan = now() - lastScan >= REMINDER_SCAN_MS ? ((lastScan = now()), enqueueReminders(deps.db, now())) : Promise.resolve(0);
    scan
      .then(() => drainOutbox(deps))
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
