import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSecretKey, prepareDatabase } from '../../src/node/boot';
import { addUser, PASSWORD, rememberAtRest } from '../helpers/app';
import { addDelegates, api, credentialFor, prepareHearing, sealFor, tokenFor } from '../helpers/hearing';

/**
 * kill -9 in the middle of a burst of ballots sealed on the tablets: the server process dies
 * with casts in flight and in its group commit; restarted on the same files, the tablets resend
 * what was not acknowledged (the same ciphertext, as the device keeps it), and every ballot is
 * in the box exactly once, every acknowledged receipt among them, every venue reconciled.
 */
const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'sanmin-crash-'));
const url = `file:${join(dir, 'crash.db')}`;
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function startChild() {
  const port = await freePort();
  const p = spawn(process.execPath, ['--import', 'tsx', 'src/server.node.ts'], { cwd: root, env: { ...process.env, DATABASE_URL: url, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    p.stdout!.on('data', (d) => ((out += d), out.includes('Sanmin is serving') && resolve()));
    p.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
  child = p;
  const base = `http://127.0.0.1:${port}`;
  // the helpers speak to an app; this one is across a socket
  const app = { request: (path: string, init?: RequestInit) => fetch(path.replace('http://localhost', base), init) };
  return { p, app };
}

const VENUES = ['市南区', '崂山区'];
const N = 60;

describe('a server killed (SIGKILL) in the middle of a burst of device-sealed casts', () => {
  it('counts every acknowledged ballot exactly once after the tablets resend, and every venue reconciles', async () => {
    // prepared while no server runs: users, the group key, delegates at two venues
    const secretKey = loadSecretKey(url);
    const handle = await prepareDatabase(url, undefined, { secretKey });
    rememberAtRest(handle.db, url);
    await addUser(handle.db, 'org', 'organiser');
    const { campaignId } = await prepareHearing(handle.db, [1]);
    const people = [...(await addDelegates(handle.db, campaignId, VENUES[0]!, 1, N / 2)).map((d) => ({ ...d, venue: VENUES[0]! })), ...(await addDelegates(handle.db, campaignId, VENUES[1]!, 1, N / 2)).map((d) => ({ ...d, venue: VENUES[1]! }))];
    handle.client.close();

    let { p, app } = await startChild();
    const org = await tokenFor(app, 'org', PASSWORD);
    for (const v of VENUES) expect((await api(app, `/api/campaigns/2018/groups/1/venues/${encodeURIComponent(v)}/open`, {}, org)).status).toBe(201);
    // each tablet: a credential and a ballot sealed before the burst, kept until acknowledged
    const tablets = [];
    for (const d of people) {
      const c = await api(app, '/api/campaigns/2018/checkins', { delegateCode: d.code, group: 1, venue: d.venue }, org);
      expect(c.status, c.text).toBe(201);
      const { credential } = await credentialFor(app, c.json.ticket);
      const sealed = await sealFor(app, 1, Array.from({ length: 12 }, (_, i) => ((i + tablets.length) % 4) + 1));
      tablets.push({ body: { campaign: '2018', group: 1, credential, ciphertext: sealed.ciphertext, tallyKey: sealed.tallyKey }, receipt: sealed.receipt, acked: undefined as string | undefined });
    }

    // the burst: all at once; the process is killed once a third are acknowledged
    let acked = 0;
    let killed = false;
    const burst = tablets.map(async (t) => {
      try {
        const r = await api(app, '/api/ballot/cast', t.body);
        if (r.status === 201 || r.status === 200) {
          t.acked = r.json.receipt;
          if (++acked >= N / 3 && !killed) {
            killed = true;
            p.kill('SIGKILL');
          }
        }
      } catch {
        // connection reset: not acknowledged, the tablet will resend
      }
    });
    await Promise.all(burst);
    await new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(undefined) : p.once('exit', r)));
    expect(killed).toBe(true);
    const acknowledgedBeforeCrash = tablets.filter((t) => t.acked).length;
    expect(acknowledgedBeforeCrash).toBeGreaterThanOrEqual(N / 3);
    expect(acknowledgedBeforeCrash).toBeLessThan(N);
    for (const t of tablets.filter((x) => x.acked)) expect(t.acked).toBe(t.receipt);

    // restarted on the same files; each tablet that saw no answer resends its very ballot
    ({ p, app } = await startChild());
    for (const t of tablets.filter((x) => !x.acked)) {
      const r = await api(app, '/api/ballot/cast', t.body);
      expect([200, 201], r.text).toContain(r.status);
      expect(r.json.receipt).toBe(t.receipt);
      t.acked = r.json.receipt;
    }
    // and one acknowledged before the crash, resent anyway (its answer might have been lost), changes nothing
    const again = await api(app, '/api/ballot/cast', tablets[0]!.body);
    expect(again.json).toEqual({ status: 'duplicate', receipt: tablets[0]!.receipt });

    const check = await openLibsqlCounts();
    expect(check.receipts.sort()).toEqual(tablets.map((t) => t.receipt).sort());
    expect(check.uses).toBe(N);
    const turnout = await api(app, '/api/campaigns/2018/turnout', undefined, org);
    for (const v of VENUES) {
      const row = turnout.json.venues.find((x: { venue: string; group: number }) => x.venue === v && x.group === 1);
      expect(row, v).toMatchObject({ issued: N / 2, cast: N / 2, voided: 0, unused: 0, balanced: true, alarms: [] });
    }
    p.kill('SIGTERM');
  }, 120_000);
});

async function openLibsqlCounts() {
  const { openLibsql } = await import('../../src/db/libsql');
  const { client } = await openLibsql(url);
  try {
    const receipts = (await client.execute('SELECT receipt FROM ballots')).rows.map((r) => r['receipt'] as string);
    const uses = Number((await client.execute('SELECT count(*) AS n FROM credential_uses')).rows[0]!['n']);
    return { receipts, uses };
  } finally {
    client.close();
  }
}
