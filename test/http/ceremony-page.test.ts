import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';

// an app whose database is down: /ceremony, like /check, must not need it
const app = createApp({
  db: () => {
    throw new Error('database down');
  },
  clientIp: () => '127.0.0.1',
  htmxSource: '',
  idHashKey: () => undefined,
  secretKey: () => undefined,
  setupToken: () => undefined,
});
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('GET /ceremony, the key ceremony page', () => {
  it('admits exactly its own inline script and style by hash and no network at all (an injected script would not run, nothing could leave)', async () => {
    const r = await app.request('http://localhost/ceremony');
    expect(r.status).toBe(200);
    const html = await r.text();
    const policy = r.headers.get('content-security-policy')!;
    const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
    const styles = [...html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/g)];
    expect(scripts).toHaveLength(1);
    expect(styles).toHaveLength(1);
    expect(policy).toContain(`script-src ${hashOf(scripts[0]![1]!)};`);
    expect(policy).toContain(`style-src ${hashOf(styles[0]![1]!)};`);
    for (const d of ["default-src 'none'", "connect-src 'none'", "img-src 'none'", "form-action 'none'", "base-uri 'none'", "object-src 'none'", "frame-ancestors 'none'"]) expect(policy).toContain(d);
    expect(policy).not.toMatch(/unsafe-|'self'|https?:|\*/);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(`${meta}; frame-ancestors 'none'`).toBe(policy);
    expect(html).not.toMatch(/\s(src|href|action)=/i);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(html).toContain('计票密钥仪式');
  });
});
