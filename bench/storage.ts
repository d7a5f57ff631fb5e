// The storage ceiling for bench/run.ts: what a cast writes, straight through @libsql/client with
// the server's pragmas (src/db/libsql.ts: WAL, synchronous=NORMAL) on a fresh migrated file,
// no HTTP, no validation, no crypto in the timed loop. One op = the cast's three statements
// (spent credential, venue counter, sealed ballot of real size), as castBallot runs them; like the
// server's group commit (src/db/group-commit.ts), the casts of `concurrency` clients waiting
// together share one batch.
// With `singleConnection`, the database is opened as bench/server.ts does under --single-connection.
import { sql } from 'drizzle-orm';
import { campaigns, votingSessions } from '../src/db/schema';
import { prepareDatabase } from '../src/node/boot';
import { ballotReceipt, generateTallyKeyPair, sealBallot } from '../src/tally/seal.core';
import { openSingle } from './single';

export async function storageCeiling(path: string, opts: { ops?: number; concurrency?: number; capSeconds?: number; singleConnection?: boolean } = {}) {
  const ops = opts.ops ?? 10_000;
  const concurrency = opts.concurrency ?? 50;
  const handle = opts.singleConnection ? await openSingle(`file:${path}`) : await prepareDatabase(`file:${path}`);
  const { db, client } = handle;
  try {
    const [campaign] = await db.select().from(campaigns).where(sql`code = '2018'`);
    const campaignId = campaign!.id;
    const venues = Array.from({ length: 12 }, (_, i) => `venue-${i}`);
    await db.insert(votingSessions).values(venues.map((venueName) => ({ campaignId, groupNo: 1, venueName, state: 'open' as const, publicKey: 'x', privateKey: 'x', openedAt: Date.now() })));
    const { publicKey } = await generateTallyKeyPair();
    const ciphertext = await sealBallot(publicKey, { v: 1, campaign: '2018', group: 1, answers: [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1] });
    const receipt0 = ballotReceipt(ciphertext);
    const hex = () => [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');

    const lat: number[] = [];
    let next = 0;
    const stopAt = performance.now() + (opts.capSeconds ?? 20) * 1000;
    const t0 = performance.now();
    while (next < ops && performance.now() < stopAt) {
      const stmts: { sql: string; args: (string | number)[] }[] = [];
      const size = Math.min(concurrency, ops - next);
      for (let j = 0; j < size; j++) {
        const i = next++;
        const hash = hex();
        const receipt = i === 0 ? receipt0 : hex();
        const tag = hex();
        const venue = venues[i % venues.length]!;
        // as castBallot since the device seals: the spend also refuses a stored ciphertext, the
        // venue is counted before the ballot is stored, and both re-check "not stored yet"
        const won = 'EXISTS (SELECT 1 FROM credential_uses WHERE credential_hash = ? AND receipt = ?) AND NOT EXISTS (SELECT 1 FROM ballots WHERE receipt = ?)';
        stmts.push(
          {
            sql: `INSERT INTO credential_uses (credential_hash, campaign_id, group_no, kind, tag, receipt)
              SELECT ?, ?, 1, 'cast', ?, ? WHERE EXISTS (SELECT 1 FROM voting_sessions WHERE campaign_id = ? AND group_no = 1 AND venue_name = ? AND state = 'open')
              AND NOT EXISTS (SELECT 1 FROM ballots WHERE receipt = ?)
              ON CONFLICT (credential_hash) DO NOTHING RETURNING receipt`,
            args: [hash, campaignId, tag, receipt, campaignId, venue, receipt],
          },
          { sql: `UPDATE voting_sessions SET ballots_cast = ballots_cast + 1 WHERE campaign_id = ? AND group_no = 1 AND venue_name = ? AND ${won}`, args: [campaignId, venue, hash, receipt, receipt] },
          { sql: `INSERT INTO ballots (receipt, campaign_id, group_no, ciphertext) SELECT ?, ?, 1, ? WHERE ${won} ON CONFLICT DO NOTHING`, args: [receipt, campaignId, ciphertext, hash, receipt, receipt] },
        );
      }
      const t = performance.now();
      await client.batch(stmts, 'write');
      // every cast of the group waited for the whole batch
      for (let j = 0; j < size; j++) lat.push(performance.now() - t);
    }
    const seconds = (performance.now() - t0) / 1000;
    const stored = Number((await client.execute('SELECT count(*) AS n FROM ballots')).rows[0]!['n']);
    if (stored !== lat.length) throw new Error(`storage ceiling: ${stored} ballots stored for ${lat.length} batches`);
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)]!;
    return { ops: lat.length, seconds, opsPerSec: lat.length / seconds, p50Ms: pct(50), p99Ms: pct(99), ciphertextBytes: ciphertext.length };
  } finally {
    client.close();
  }
}
