/**
 * SMS through Alibaba Cloud 短信服务 (dysmsapi, API version 2017-05-25), action SendSms, signed
 * in the RPC style (SignatureVersion 1.0, HMAC-SHA1) as the provider documents it. fetch and
 * WebCrypto only, so it runs on Node and in workerd. No provider is reachable from the
 * development machine: tests run it against a loopback server speaking this API.
 */
import { DeliveryError, classifyAliyunCode } from './outbox.core';
import type { NotificationEvent } from './templates.core';

export interface AliyunSmsConfig {
  accessKeyId: string;
  accessKeySecret: string;
  /** The approved 短信签名 (e.g. 青岛三民活动). */
  signName: string;
  /** The approved template code of each event (SMS_123456789). */
  templates: Partial<Record<NotificationEvent, string>>;
  endpoint?: string;
  regionId?: string;
}

export interface SmsMessage {
  id: string;
  to: string;
  event: NotificationEvent;
  params: Record<string, string>;
}

/** RFC 3986 percent-encoding as the RPC signature requires (space → %20, `*` → %2A, `~` kept). */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `POST&%2F&` + the encoded canonical query: the parameters sorted by name, each pair encoded. */
export function stringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k]!)}`)
    .join('&');
  return `${method}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

/** Base64 of HMAC-SHA1 over the string to sign, keyed with the AccessKey secret followed by `&`. */
export async function rpcSignature(secret: string, method: string, params: Record<string, string>): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(`${secret}&`), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(stringToSign(method, params))));
  let bin = '';
  for (const b of mac) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** ISO 8601 in UTC without milliseconds, as the API expects (2017-07-12T02:42:19Z). */
const timestamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function aliyunSms(config: AliyunSmsConfig, now: () => number = Date.now) {
  const endpoint = config.endpoint ?? 'https://dysmsapi.aliyuncs.com/';
  return {
    async send(m: SmsMessage): Promise<{ providerId: string }> {
      const template = config.templates[m.event];
      if (!template) throw new DeliveryError('TEMPLATE_NOT_CONFIGURED', true, `no SMS template code configured for ${m.event}`);
      const params: Record<string, string> = {
        AccessKeyId: config.accessKeyId,
        Action: 'SendSms',
        Format: 'JSON',
        RegionId: config.regionId ?? 'cn-hangzhou',
        SignatureMethod: 'HMAC-SHA1',
        SignatureNonce: crypto.randomUUID(),
        SignatureVersion: '1.0',
        Timestamp: timestamp(now()),
        Version: '2017-05-25',
        PhoneNumbers: m.to,
        SignName: config.signName,
        TemplateCode: template,
        TemplateParam: JSON.stringify(m.params),
        // the outbox id: the provider's delivery receipts carry it back, and a resend carries the same one
        OutId: m.id,
      };
      const signature = await rpcSignature(config.accessKeySecret, 'POST', params);
      const body = `Signature=${percentEncode(signature)}&${Object.entries(params)
        .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
        .join('&')}`;
      let res: Response;
      try {
        res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      } catch (err) {
        throw new DeliveryError('NETWORK', true, `SMS endpoint unreachable: ${(err as Error).message}`);
      }
      const answer = (await res.json().catch(() => ({}))) as { Code?: string; Message?: string; BizId?: string };
      if (answer.Code === 'OK') return { providerId: answer.BizId ?? '' };
      const code = answer.Code ?? `HTTP_${res.status}`;
      const { retryable, rateLimited } = answer.Code ? classifyAliyunCode(answer.Code) : { retryable: res.status >= 500 || res.status === 429, rateLimited: res.status === 429 };
      throw new DeliveryError(code, retryable, `${code}: ${answer.Message ?? res.statusText}`, rateLimited);
    },
  };
}
