import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { CONTENT_SECURITY_POLICY } from '../../src/lib/security-headers.middleware';

// an app whose database is down: /check must not need it
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

describe('GET /check, the ballot-check page', () => {
  it('admits exactly its own inline script and style by hash, and no network, framing or form target (an injected script would not run)', async () => {
    const r = await app.request('http://localhost/check');
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
    // the same policy travels inside the file, so a copy saved to disk keeps it (frame-ancestors only works as a header)
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1];
    expect(`${meta}; frame-ancestors 'none'`).toBe(policy);
    // nothing in the page points anywhere: no absolute URL, no src or href, no event handler attribute
    expect(html).not.toMatch(/\s(src|href|action)=/i);
    expect(html).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('set-cookie')).toBeNull();
  });

  it('revalidates for nothing with its ETag, and every other page keeps the site-wide policy', async () => {
    const r = await app.request('http://localhost/check');
    const etag = r.headers.get('etag')!;
    expect((await app.request('http://localhost/check', { headers: { 'if-none-match': etag } })).status).toBe(304);
    const other = await app.request('http://localhost/healthz');
    expect(other.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });
});
