/**
 * E-mail through SMTP with nodemailer (Node only: nodemailer needs node:net and node:tls, which
 * workerd lacks, so the Worker leaves e-mail in the outbox). Each message carries its outbox id
 * as Message-ID, so a resend after a crash is the same message to the receiving side.
 */
import nodemailer from 'nodemailer';
import { classifySmtp, DeliveryError } from '../notifications/outbox.core';
import type { OutgoingMessage, Transport } from '../notifications/sender.service';

export function smtpTransport(url: string, from: string): Transport & { close(): void } {
  const transporter = nodemailer.createTransport(url);
  return {
    async send(m: OutgoingMessage) {
      try {
        const info = await transporter.sendMail({
          from,
          to: m.to,
          subject: m.subject,
          text: m.text,
          messageId: m.messageId,
          headers: { 'X-Sanmin-Attempt': String(m.attempt), ...(m.resend ? { 'X-Sanmin-Resend': 'yes' } : {}) },
        });
        return { providerId: String(info.response ?? info.messageId).slice(0, 200) };
      } catch (err) {
        const e = err as { responseCode?: number; code?: string; message?: string };
        throw new DeliveryError(e.responseCode ? `SMTP_${e.responseCode}` : (e.code ?? 'SMTP'), classifySmtp(e.responseCode), `SMTP: ${e.message ?? 'failed'}`);
      }
    },
    close: () => transporter.close(),
  };
}
