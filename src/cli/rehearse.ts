// npm run rehearse -- --group <n> [--delegates <n>] [--seed <s>] [--db <file url>] [--out <file>] [--record <file>]
// A whole group on a fresh (or given) database through the real HTTP API of a server started
// here: delegates generated at every venue in proportion to its seats, checked in, credentials
// blind-signed, ballots sealed here as the voting devices seal them (keys checked against the
// published list first) and cast with a seeded random mix (some retried with the same
// ciphertext, some voided); the first voter checks a ballot (Benaloh) before sealing afresh and
// casting. The tally key stays with stand-in custodians: each logs in, registers a seat public key
// from its own key file, the ceremony runs here (the same pure function as `npm run ceremony`) and is
// uploaded; each downloads its sealed share and opens it here. Every venue closed, the ballots
// committed; k custodians unseal here (the same pure function as `npm run unseal`) from the
// commitment and ballots files served over HTTP, post the public result and approve it; the
// published result is verified. --verbose prints the time of each phase on stderr; --record writes
// every request the server received (method, path, body) as JSON lines, and copies the database
// files as they are just before unsealing to <file>.db, .db-wal, .db-shm. Prints one JSON line:
// {"group","ballots","voided","checked","checkFile","resultFile","commitmentFile","verified"}:
// the check record (`npm run verify -- --check <checkFile>`), the result (the custodians' audit edition, with the key) and the
// commitment file downloaded over HTTP before unsealing, and whether the result verified against
// that commitment (`npm run verify -- <resultFile> --commitment <commitmentFile>`).
import { appendFileSync, copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { v4 as uuidv4 } from 'uuid';
import { insertUser } from '../auth/auth.service';
import { getCampaign, loadVenues } from '../campaigns/campaigns.service';
import { chunkRows } from '../db/client';
import { campaigns, candidates, delegates } from '../db/schema';
import { blindRequest, finalizeCredential } from '../hearing/credential.core';
import { keysOnList, type PublishedKeys } from '../hearing/keys.core';
import { checkRecord, sealOnDevice, verifyCheck } from '../tally/device-seal.core';
import { ballotShapeDigest } from '../tally/seal.core';
import { hashPassword } from '../lib/password';
import { randomToken } from '../lib/crypto';
import { loadSecretKey, startServer } from '../node/boot';
import { delegateLinks, requireLinks } from '../delegates/links.service';
import { openSealedShare, runCeremonyCore, type SealedShareFile, type SeatsDocument, type ShareFile } from '../tally/ceremony.core';
import { newSeatKeyFile, seatKeyFromFile } from '../tally/seat-key.core';
import { unsealWithShares } from '../tally/unseal.core';
import { verifyAgainstCommitment } from '../tally/verify.core';
import { tallyParams } from '../tally/tally.service';
import { mulberry32FromText } from '../lib/prng.core';
import { apiClient } from './api-client';
import { eq } from 'drizzle-orm';

const { values } = parseArgs({
  options: {
    group: { type: 'string' },
    delegates: { type: 'string' },
    seed: { type: 'string', default: '2018' },
    db: { type: 'string' },
    out: { type: 'string' },
    record: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
const group = Number(values.group);
if (!Number.isInteger(group) || group < 1) {
  console.error('usage: npm run rehearse -- --group <n> [--delegates <n>] [--seed <s>] [--db <file url>] [--out <file>]');
  process.exit(2);
}

// the same seed gives the same mix of answers, retries and voids
const random = mulberry32FromText(values.seed!);

const dir = mkdtempSync(join(tmpdir(), 'sanmin-rehearsal-'));
const url = values.db ?? `file:${join(dir, 'rehearsal.db')}`;
const T0 = performance.now();
const lap = (what: string) => values.verbose && console.error(`${what}: ${((performance.now() - T0) / 1000).toFixed(1)} s`);
const recordFile = values.record;
if (recordFile) writeFileSync(recordFile, '');
const server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: url }, recordFile ? (method, path, body) => appendFileSync(recordFile, `${JSON.stringify({ method, path, body })}\n`) : undefined);
const db = server.handle.db;
// the server's own data-encryption key (the key file it made beside the database): delegates' link hashes are keyed by it
const links = requireLinks(delegateLinks(loadSecretKey(url)));

const api = apiClient(server.url);
async function call(path: string, body?: unknown, token?: string) {
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await api(path, { body, token });
      if (r.status >= 500 && attempt < 5) continue;
      // a body that is not JSON reads as {} (what the phases below expect)
      return { status: r.status, json: r.json ?? {} };
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
}
const must = async (path: string, body?: unknown, token?: string) => {
  const r = await call(path, body, token);
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

try {
  lap('server');
  let campaign = await getCampaign(db, '2018');
  if (campaign.status === 'draft') await db.update(campaigns).set({ status: 'started' }).where(eq(campaigns.id, campaign.id));
  campaign = await getCampaign(db, '2018');
  const venues = (await loadVenues(db, campaign.id)).filter((v) => (v.seats.get(group) ?? 0) > 0);
  const seats = venues.reduce((a, v) => a + v.seats.get(group)!, 0);
  const wanted = values.delegates ? Number(values.delegates) : seats;

  // an organiser for the rehearsal, and the group's tally key from a ceremony with stand-in custodians
  const password = randomToken();
  const username = `rehearsal-${uuidv4().slice(0, 8)}`;
  await insertUser(db, { id: uuidv4(), username, displayName: '演练组织者', passwordHash: await hashPassword(password), role: 'organiser', venueName: null, departmentName: null });
  const token = (await must('/api/login', { username, password })).token as string;
  // stand-in custodians, each with a login and a seat key file of its own (kept here, never sent)
  const { shareCount } = await tallyParams(db, campaign.id);
  const custodians: { seat: number; token: string; keyFile: string }[] = [];
  for (let seat = 1; seat <= shareCount; seat++) {
    const cPassword = randomToken();
    const cName = `rehearsal-custodian-${uuidv4().slice(0, 8)}`;
    await insertUser(db, { id: uuidv4(), username: cName, displayName: `演练保管人${seat}`, passwordHash: await hashPassword(cPassword), role: 'custodian', venueName: null, departmentName: null });
    const cToken = (await must('/api/login', { username: cName, password: cPassword })).token as string;
    const keyFile = await newSeatKeyFile('2018', group, seat);
    await must(`/api/campaigns/2018/groups/${group}/tally/join`, { seat, seatKey: keyFile.publicKey }, cToken);
    custodians.push({ seat, token: cToken, keyFile: JSON.stringify(keyFile) });
  }
  // the ceremony, on "the offline machine": this process, from the seats file the server publishes
  const seatsDoc = (await must(`/api/campaigns/2018/groups/${group}/tally/seats`, undefined, token)) as SeatsDocument;
  await must(`/api/campaigns/2018/groups/${group}/tally/ceremony`, await runCeremonyCore(seatsDoc), token);
  // each custodian downloads the sealed share (from a fresh login: any session opens it) and opens it here
  const shares: ShareFile[] = [];
  for (const c of custodians) {
    const sealed = (await must(`/api/campaigns/2018/groups/${group}/tally/share`, undefined, c.token)) as SealedShareFile;
    const seatKey = await seatKeyFromFile(c.keyFile, '2018', group, c.seat);
    shares.push(await openSealedShare(sealed, seatKey.privateKey));
    seatKey.privateKey.fill(0);
  }
  lap('ceremony');

  // generated delegates, spread over the venues in proportion to their seats
  const people: { code: string; venue: string }[] = [];
  const candidateRows: (typeof candidates.$inferInsert)[] = [];
  const delegateRows: (typeof delegates.$inferInsert)[] = [];
  venues.forEach((v, vi) => {
    const n = vi === venues.length - 1 ? wanted - people.length : Math.round((wanted * v.seats.get(group)!) / seats);
    for (let i = 0; i < n; i++) {
      const k = people.length;
      const candidateId = uuidv4();
      const code = `D${String(k).padStart(4, '0')}-R${group}RH`; // canonical DXXXX-XXXX (src/lib/codes.core.ts)
      candidateRows.push({ id: candidateId, campaignId: campaign.id, code: `RC${group}-${k}-${uuidv4().slice(0, 6)}`, source: 'volunteer', name: `演练代表${k}`, idHash: uuidv4(), idLast4: '0000', mobile: '13800000000', venueName: v.name, category: '演练', groups: String(group), qualification: 'passed', districtReview: 'passed', createdAt: Date.now() });
      const delegateId = uuidv4();
      delegateRows.push({ id: delegateId, campaignId: campaign.id, candidateId, venueName: v.name, groupNo: group, category: '演练', state: 'confirmed', drawnAs: 'selected', drawRank: k + 1, delegateCode: code, linkHash: links.storedFor(delegateId) });
      people.push({ code, venue: v.name });
    }
  });
  for (const chunk of chunkRows(candidateRows, candidates)) await db.insert(candidates).values(chunk);
  for (const chunk of chunkRows(delegateRows, delegates)) await db.insert(delegates).values(chunk);

  lap('delegates');
  // each opening generates the venue's RSA key on the thread pool: open them side by side
  await Promise.all(venues.map((v) => must(`/api/campaigns/2018/groups/${group}/venues/${encodeURIComponent(v.name)}/open`, {}, token)));
  lap('open');
  const { json: shape } = await call(`/api/campaigns/2018`);
  const departmentNames = ((shape.groups as any[]).find((g) => g.no === group).departments as { name: string }[]).map((d) => d.name);
  const departments = departmentNames.length;
  const scaleLabels = (shape.scale as { label: string }[]).map((o) => o.label);
  const options = scaleLabels.length;
  // what every device does when voting opens: fetch the published list; each key it is handed must be on it
  const keyList = (await must('/c/2018/keys.json')) as PublishedKeys;
  const listedKey = keyList.tally.find((t) => t.group === group)?.publicKey;
  if (!listedKey) throw new Error('the group tally key is not on the published list');
  const tallyKey: string = listedKey;
  const shapeDigest = ballotShapeDigest(departmentNames, scaleLabels);
  let checkFile: string | undefined;
  let checkedReceipt: string | undefined;

  let ballots = 0;
  let voided = 0;
  const CONCURRENCY = 16;
  let next = 0;
  async function worker() {
    while (next < people.length) {
      const p = people[next++]!;
      const c = await must('/api/campaigns/2018/checkins', { delegateCode: p.code, group, venue: p.venue }, token);
      const r = random();
      if (r < 0.02) {
        await must(`/api/campaigns/2018/checkins/${c.checkinId}/void`, { reason: '演练:代表离场' }, token);
        voided++;
        continue;
      }
      const info = await must('/api/ballot/ticket', { ticket: c.ticket });
      const onList = keysOnList(keyList, group, info.publicKey, info.tallyPublicKey);
      if (!onList.ok || info.tallyPublicKey !== tallyKey) throw new Error(`device refused a key: ${onList.ok ? 'tally key changed' : onList.reason}`);
      const req = await blindRequest(info.publicKey);
      const { blindSig } = await must('/api/ballot/redeem', { ticket: c.ticket, blindedMsg: req.blindedMsg });
      const credential = await finalizeCredential(info.publicKey, req, blindSig);
      if (r < 0.03) {
        await must('/api/ballot/void', { campaign: '2018', group, credential, reason: '演练:设备故障' });
        voided++;
        continue;
      }
      const answers = Array.from({ length: departments }, () => {
        const x = random();
        return x < 0.03 ? null : 1 + Math.floor(random() * options);
      });
      const content = { v: 1 as const, campaign: '2018', group, shape: shapeDigest, answers };
      if (!checkFile) {
        // the first voter checks: the device reveals this ciphertext's seed, then discards it and seals afresh
        checkFile = join(dir, `check-2018-group${group}.json`);
        const revealed = await sealOnDevice(tallyKey, content);
        const record = checkRecord(tallyKey, content, revealed, departmentNames, scaleLabels);
        const verdict = await verifyCheck(record);
        const shown = answers.map((a, i) => ({ department: departmentNames[i]!, choice: a === null ? '(空白)' : scaleLabels[a - 1]! }));
        if (!verdict.ok || JSON.stringify(verdict.choices) !== JSON.stringify(shown)) throw new Error('the check did not show the chosen answers');
        writeFileSync(checkFile, JSON.stringify(record, null, 2));
        checkedReceipt = revealed.receipt;
      }
      const sealed = await sealOnDevice(tallyKey, content);
      sealed.ikmE.fill(0); // cast, never revealed
      const cast = { campaign: '2018', group, credential, ciphertext: sealed.ciphertext, tallyKey, keyId: info.keyId };
      const first = await must('/api/ballot/cast', cast);
      if (first.receipt !== sealed.receipt) throw new Error('the server acknowledged another receipt than the device computed');
      if (random() < 0.1) {
        const again = await must('/api/ballot/cast', cast);
        if (again.receipt !== first.receipt) throw new Error('a retry got another receipt');
      }
      ballots++;
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  lap('cast');

  for (const v of venues) await must(`/api/campaigns/2018/groups/${group}/venues/${encodeURIComponent(v.name)}/close`, { note: '演练结束:未使用或作废的凭证已核对。' }, token);
  lap('closed');
  const { threshold } = await tallyParams(db, campaign.id);
  // exactly k custodians, chosen at random: any k of the n shares must do
  const chosen = [...shares].sort(() => random() - 0.5).slice(0, threshold);
  // the commitment as anyone downloads it, before unsealing; the result is checked against it
  await must(`/api/campaigns/2018/groups/${group}/tally/commit`, {}, token);
  const published = await fetch(`${server.url}/c/2018/results/${group}/commitment.json`);
  if (published.status !== 200) throw new Error(`commitment.json: ${published.status}`);
  const commitmentText = await published.text();
  const resultFile = values.out ?? join(dir, `result-2018-group${group}.json`);
  const commitmentFile = values.out ? values.out.replace(/(\.json)?$/, '.commitment.json') : join(dir, `commitment-2018-group${group}.json`);
  writeFileSync(commitmentFile, commitmentText);
  lap('committed');
  if (recordFile && url.startsWith('file:')) {
    // what a thief copying the database files would take just before unsealing (main, -wal, -shm)
    const file = url.slice('file:'.length);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) copyFileSync(file + suffix, `${recordFile}.db${suffix}`);
  }
  // unsealing with the custodians, here: from the commitment and the committed ballots as served
  const ballotsFile = await must(`/api/campaigns/2018/groups/${group}/tally/ballots`, undefined, token);
  const { result: publicEdition, auditEdition: result } = await unsealWithShares(JSON.parse(commitmentText), ballotsFile, chosen.map((s) => JSON.stringify(s)));
  const posted = await must(`/api/campaigns/2018/groups/${group}/tally/result`, publicEdition, custodians[chosen[0]!.seat - 1]!.token);
  for (const s of chosen) await must(`/api/campaigns/2018/groups/${group}/tally/approve`, { digest: posted.digest }, custodians[s.seat - 1]!.token);
  const served = await must(`/api/campaigns/2018/groups/${group}/result`);
  lap('unsealed');
  if (JSON.stringify(served.decrypted) !== JSON.stringify(publicEdition.decrypted)) throw new Error('the published result differs from the one the custodians approved');
  const verdict = await verifyAgainstCommitment(result, JSON.parse(commitmentText));
  const servedVerdict = await verifyAgainstCommitment(served, JSON.parse(commitmentText));
  if (!servedVerdict.ok) console.error(`published result MISMATCH: ${servedVerdict.reason}`);
  writeFileSync(resultFile, JSON.stringify(result, null, 2));
  if (recordFile && url.startsWith('file:')) {
    // the database after publication too, and the custodians' opened shares (theirs, never sent): what a scan looks for
    const file = url.slice('file:'.length);
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(file + suffix)) copyFileSync(file + suffix, `${recordFile}.after.db${suffix}`);
    writeFileSync(`${recordFile}.custodians.json`, JSON.stringify({ shares: shares.map((s) => s.share), privateKey: result.privateKey }));
  }
  if (!verdict.ok) console.error(`result MISMATCH: ${verdict.reason}`);
  // a checked ballot is never cast: its receipt is not in the box
  if (checkedReceipt && (result as { ballots: { receipt: string }[] }).ballots.some((b) => b.receipt === checkedReceipt)) throw new Error('a checked ballot was cast');
  console.log(JSON.stringify({ group, ballots, voided, checked: checkFile ? 1 : 0, checkFile, resultFile, commitmentFile, verified: verdict.ok }));
  process.exitCode = verdict.ok && servedVerdict.ok ? 0 : 1;
} finally {
  await server.close();
}
