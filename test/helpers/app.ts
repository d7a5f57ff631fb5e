import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { insertUser } from '../../src/auth/auth.service';
import type { Role } from '../../src/db/schema';
import { hashPassword } from '../../src/lib/password';
import type { Db } from '../../src/db/client';
import { atRestCipher, type AtRest } from '../../src/lib/at-rest';
import { loadSecretKey, nodeApp, prepareDatabase } from '../../src/node/boot';
import { delegateLinks, requireLinks, type DelegateLinks } from '../../src/delegates/links.service';

export const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;

const atRests = new WeakMap<Db, AtRest>();
/** The data-encryption key of a test database, for helpers that call services directly. */
export const atRestOf = (db: Db) => atRests.get(db);
/** For a database a test opened itself (e.g. through startServer): its key file beside it. */
export const rememberAtRest = (db: Db, url: string) => {
  atRests.set(db, atRestCipher(loadSecretKey(url))!);
  linkKeys.set(db, requireLinks(delegateLinks(loadSecretKey(url))));
};

const linkKeys = new WeakMap<Db, DelegateLinks>();
/** The personal-link functions of a test database (keyed by its data-encryption key, as the app's). */
export const linksOf = (db: Db) => {
  const links = linkKeys.get(db);
  if (!links) throw new Error('linksOf: a database opened by the test itself needs rememberAtRest(db, url) first');
  return links;
};
/** A delegate's personal-link token, as their notice and the CSV export print it (never stored). */
export const delegateLinkToken = (db: Db, delegateId: string) => linksOf(db).token(delegateId);

/** A fresh migrated and seeded file database per test file, and the app over it. */
export async function testApp() {
  const dir = mkdtempSync(join(tmpdir(), 'sanmin-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const handle = await prepareDatabase(url);
  const app = nodeApp(handle);
  // the data-encryption key the app uses (the key file created beside the database)
  const atRest = atRestCipher(loadSecretKey(url))!;
  atRests.set(handle.db, atRest);
  linkKeys.set(handle.db, requireLinks(delegateLinks(loadSecretKey(url))));
  return {
    app,
    atRest,
    db: handle.db,
    client: handle.client,
    url,
    dir,
    close() {
      handle.client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Inserts a staff account directly (hashing once per process keeps tests fast). */
export async function addUser(
  db: Awaited<ReturnType<typeof testApp>>['db'],
  username: string,
  role: Role,
  scope: { venueName?: string; departmentName?: string } = {},
) {
  passwordHash ??= hashPassword(PASSWORD);
  const id = uuidv7();
  await insertUser(db, {
    id,
    username,
    displayName: username,
    passwordHash: await passwordHash,
    role,
    venueName: scope.venueName ?? null,
    departmentName: scope.departmentName ?? null,
  });
  return id;
}

type Fetchable = { request: (path: string, init?: RequestInit, env?: any) => Response | Promise<Response> };

let ipCounter = 0;

/** A browser-like client over app.request(): keeps cookies, echoes the CSRF token of the last page. */
export class Browser {
  cookies = new Map<string, string>();
  csrf = '';
  /** Each browser comes from its own address (as the Node adapter reads it from the socket). */
  constructor(
    private app: Fetchable,
    private origin = 'http://localhost',
    public ip = `10.0.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`,
  ) {}

  private env() {
    return { incoming: { socket: { remoteAddress: this.ip, remotePort: 50000, remoteFamily: 'IPv4' } } };
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [k, ...v] = pair!.split('=');
      const value = v.join('=');
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(k!.trim());
      else this.cookies.set(k!.trim(), value);
    }
  }

  async get(path: string, headers: Record<string, string> = {}) {
    const res = await this.app.request(`${this.origin}${path}`, { headers: { cookie: this.cookieHeader(), ...headers } }, this.env());
    this.remember(res);
    const body = await res.text();
    const m = body.match(/name="_csrf" value="([^"]+)"/);
    if (m) this.csrf = m[1]!;
    return { res, body, status: res.status };
  }

  async post(path: string, form: Record<string, string>, opts: { headers?: Record<string, string>; csrf?: string | null } = {}) {
    const params = new URLSearchParams(form);
    const token = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (token !== null) params.set('_csrf', token);
    const res = await this.app.request(`${this.origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...opts.headers },
      body: params.toString(),
    }, this.env());
    this.remember(res);
    return { res, body: await res.text(), status: res.status };
  }

  /**
   * Starts a form post whose body is held back until `release()`: the route runs its checks
   * with the headers alone (the CSRF token travels in the header, as htmx sends it) and waits
   * for the body, so a test can change the world between the checks and the write.
   * Bodies are URL-encoded: the CSRF token goes in the header instead of the `_csrf` field.
   */
  postHeld(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    let push!: (body: string) => void;
    let asked!: () => void;
    const reading = new Promise<void>((resolve) => (asked = resolve));
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          push = (text) => {
            controller.enqueue(new TextEncoder().encode(text));
            controller.close();
          };
        },
        // with no buffer wanted, pull is first called when the route starts reading the body
        pull() {
          asked();
        },
      },
      { highWaterMark: 0 },
    );
    const done = Promise.resolve(
      this.app.request(
        `${this.origin}${path}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), 'x-csrf-token': this.csrf, ...headers },
          body,
          duplex: 'half',
        } as RequestInit,
        this.env(),
      ),
    ).then(async (res) => ({ res, status: res.status, body: await res.text() }));
    /** `reading` resolves once the route has made its checks and asks for the body. */
    return { reading, release: () => push(new URLSearchParams(form).toString()), done };
  }

  async login(username: string, password = PASSWORD) {
    await this.get('/login');
    const r = await this.post('/login', { username, password });
    if (r.status !== 303) throw new Error(`login failed for ${username}: ${r.status}`);
    await this.get('/staff');
    return r;
  }
}

/** The hidden version field of the form with this id on a page, as a browser would send it back. */
export function formVersion(body: string, formId: string): string {
  const at = body.indexOf(`id="${formId}"`);
  const m = at < 0 ? null : body.slice(at).match(/name="version" value="(\d+)"/);
  if (!m) throw new Error(`no version field in form ${formId}`);
  return m[1]!;
}
