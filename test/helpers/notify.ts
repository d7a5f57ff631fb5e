import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  resend: boolean;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?…?= and =?UTF-8?Q?…?=) in a header. */
function decodeWords(value: string): string {
  return value.replace(/\s*=\?utf-8\?([BQ])\?([^?]*)\?=\s*/gi, (_w, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function parseMail(raw: string): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? '';
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  return { messageId: header('Message-ID'), to: header('To'), subject: decodeWords(header('Subject')), text, resend: header('X-Sanmin-Resend') === 'yes' };
}

/** A real SMTP server on 127.0.0.1 (smtp-server), keeping every message it accepts. */
export async function startSmtp() {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('latin1')));
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  return { mails, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** RFC 3986 percent-encoding, byte by byte (written apart from the adapter's, to check it). */
const rfc3986 = (s: string) => [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');

export interface ReceivedSms {
  phone: string;
  template: string;
  params: Record<string, string>;
  outId: string;
  signName: string;
}

/**
 * A loopback server speaking Alibaba Cloud's SendSms (RPC style): it checks the signature with
 * the shared secret, the action, version and timestamp, and answers as the API does. `refuse`
 * queues error codes to answer to the next requests (e.g. isv.BUSINESS_LIMIT_CONTROL).
 */
export async function startAliyunStandIn(accessKeyId: string, secret: string) {
  const sent: ReceivedSms[] = [];
  const refuse: string[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      requests++;
      const answer = (status: number, body: Record<string, string>) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify({ RequestId: `req-${requests}`, ...body }));
      };
      const params = Object.fromEntries(new URLSearchParams(raw));
      const { Signature: signature, ...signed } = params;
      const canonical = Object.keys(signed)
        .sort()
        .map((k) => `${rfc3986(k)}=${rfc3986(signed[k]!)}`)
        .join('&');
      const expected = createHmac('sha1', `${secret}&`).update(`${req.method}&${rfc3986('/')}&${rfc3986(canonical)}`).digest('base64');
      if (signed['AccessKeyId'] !== accessKeyId) return answer(404, { Code: 'InvalidAccessKeyId.NotFound', Message: 'Specified access key is not found.' });
      if (signature !== expected) return answer(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
      if (signed['Action'] !== 'SendSms' || signed['Version'] !== '2017-05-25' || signed['SignatureMethod'] !== 'HMAC-SHA1' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(signed['Timestamp'] ?? '')) {
        return answer(400, { Code: 'InvalidParameter', Message: 'bad request' });
      }
      const code = refuse.shift();
      if (code) return answer(200, { Code: code, Message: code === 'isv.BUSINESS_LIMIT_CONTROL' ? '触发号码天级流控Permits:10' : code });
      let templateParams: Record<string, string>;
      try {
        templateParams = JSON.parse(signed['TemplateParam'] ?? '{}');
      } catch {
        return answer(200, { Code: 'isv.INVALID_JSON_PARAM', Message: 'JSON参数不合法' });
      }
      sent.push({ phone: signed['PhoneNumbers']!, template: signed['TemplateCode']!, params: templateParams, outId: signed['OutId'] ?? '', signName: signed['SignName']! });
      answer(200, { Code: 'OK', Message: 'OK', BizId: `biz-${sent.length}^0` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return { sent, refuse, endpoint: `http://127.0.0.1:${port}/`, requests: () => requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}
