import type { NotifyConfig } from '../env';
import { aliyunSms } from './aliyun-sms.service';
import type { Transport } from './sender.service';
import type { NotificationEvent } from './templates.core';

type SmsSettings = Pick<NotifyConfig, 'ALIYUN_SMS_ACCESS_KEY_ID' | 'ALIYUN_SMS_ACCESS_KEY_SECRET' | 'ALIYUN_SMS_SIGN_NAME' | 'ALIYUN_SMS_ENDPOINT'> & {
  ALIYUN_SMS_TEMPLATES?: Partial<Record<string, string>> | undefined;
};

/** The SMS transport when key, secret, signature and templates are all configured; else none (SMS stays in the outbox). */
export function smsTransportFrom(env: SmsSettings, now: () => number = Date.now): Transport | undefined {
  const { ALIYUN_SMS_ACCESS_KEY_ID: id, ALIYUN_SMS_ACCESS_KEY_SECRET: secret, ALIYUN_SMS_SIGN_NAME: signName, ALIYUN_SMS_TEMPLATES: templates } = env;
  if (!id || !secret || !signName || !templates) return undefined;
  const sms = aliyunSms(
    { accessKeyId: id, accessKeySecret: secret, signName, templates: templates as Partial<Record<NotificationEvent, string>>, ...(env.ALIYUN_SMS_ENDPOINT ? { endpoint: env.ALIYUN_SMS_ENDPOINT } : {}) },
    now,
  );
  return { send: (m) => sms.send({ id: m.id, to: m.to, event: m.event, params: m.smsParams }) };
}

/** The Message-ID domain: the sender address's domain. */
export const messageDomainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'sanmin.local';
