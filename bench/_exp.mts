import { sql } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { campaigns, votingSessions } from '../src/db/schema';
import { prepareDatabase } from '../src/node/boot';
import { ballotReceipt, generateTallyKeyPair, sealBallot } from '../src/tally/seal.core';

for (const [group, variant] of [[1, 'full'], [50, 'full'], [50, 'noballot'], [50, 'nocounter'], [50, 'smallct']] as const) {
  const dir = mkdtempSync(join(tmpdir(), 'exp-'));
  const { db, client } = await prepareDatabase(`file:${join(dir, 'x.db')}`);
  const [campaign] = await db.select().from(campaigns).where(sql`code = '2018'`);
  const campaignId = campaign!.id;
  const venues = Array.from({ length: 12 }, (_, i) => `venue-${i}`);
  await db.insert(votingSessions).values(venues.map((venueName) => ({ campaignId, groupNo: 1, venueName, state: 'open' as const, publicKey: 'x', privateKey: 'x', openedAt: Date.now() })));
  const { publicKey } = await generateTallyKeyPair();
  let ciphertext = await sealBallot(publicKey, { v: 1, campaign: '2018', group: 1, answers: [1, 2, 3, 4, null, 1, 1, 2, 2, 3, 1, 1] });
  if (variant === 'smallct') ciphertext = ciphertext.slice(0, 100);
  const hex = () => [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const N = 5000;
  const t0 = performance.now();
  for (let i = 0; i < N; i += group) {
    const stmts: any[] = [];
    for (let j = 0; j < group; j++) {
      const hash = hex(), receipt = hex(), tag = hex(), venue = venues[(i + j) % 12]!;
      const won = 'EXISTS (SELECT 1 FROM credential_uses WHERE credential_hash = ? AND receipt = ?)';
      stmts.push({ sql: `INSERT INTO credential_uses (credential_hash, campaign_id, group_no, kind, tag, receipt)
                SELECT ?, ?, 1, 'cast', ?, ? WHERE EXISTS (SELECT 1 FROM voting_sessions WHERE campaign_id = ? AND group_no = 1 AND venue_name = ? AND state = 'open')
                ON CONFLICT (credential_hash) DO NOTHING RETURNING receipt`, args: [hash, campaignId, tag, receipt, campaignId, venue] });
      if (variant !== 'noballot') stmts.push({ sql: `INSERT INTO ballots (receipt, campaign_id, group_no, ciphertext) SELECT ?, ?, 1, ? WHERE ${won}`, args: [receipt, campaignId, ciphertext, hash, receipt] });
      if (variant !== 'nocounter') stmts.push({ sql: `UPDATE voting_sessions SET ballots_cast = ballots_cast + 1 WHERE campaign_id = ? AND group_no = 1 AND venue_name = ? AND ${won}`, args: [campaignId, venue, hash, receipt] });
    }
    await client.batch(stmts, 'write');
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`group ${group} ${variant}: ${(N / s).toFixed(0)} ballots/s, ${(s * 1000 / N).toFixed(3)} ms each`);
  client.close();
}
