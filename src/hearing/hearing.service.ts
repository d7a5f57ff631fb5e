import { and, asc, count, eq, exists, inArray, sql } from 'drizzle-orm';
import { v4 as uuidv4 } from 'uuid';
import { LruCache } from '../lib/cache.core';
import type { Campaign } from '../campaigns/campaigns.service';
import { loadAgenda, loadScale, loadVenues } from '../campaigns/campaigns.service';
import { stillAbsent, stillHolds, type Precondition } from '../audit/audit.service';
import type { Db } from '../db/client';
import { groupCommit } from '../db/group-commit';
import { ballots, candidates, checkins, credentialUses, delegates, tallyKeys, votingSessions } from '../db/schema';
import { randomCode } from '../delegates/delegates.core';
import { canonicalCode } from '../lib/codes.core';
import { sha256Hex } from '../lib/crypto';
import { openText, requireAtRest, sealText, secretRows, type AtRest } from '../lib/at-rest';
import { AppError } from '../lib/errors';
import { assertInScope } from '../auth/scope.service';
import type { SessionUser } from '../env';
import { ballotReceipt, fromB64url, b64url, isRawPublicKey, sealedBallotProblem } from '../tally/seal.core';
import { notCommittedSql } from '../tally/tally.repo';
import { ballotTag, blindSign, blindedHash, credentialHash, decodeCredential, generateVenueKey, verifyCredential, type Credential, type CredentialBytes } from './credential.core';
import { groupAlarms, reconcile, totals, type Reconciliation } from './hearing.core';
import { findDelegateByCode, findTicket, getSession, listSessions, sessionKey, ticketHash, type VotingSession } from './hearing.repo';

// the reads routes and tests need, through the service (routes call services, not repos)
export { closeStatement, findDelegateByCode, findTicket, getCheckin, getSession, listSessions, ticketHash, venueCheckins, voidTicketStatement, type Checkin, type VotingSession } from './hearing.repo';

/** The group's departments in report order and the campaign's scale: what a ballot is made of. */
export async function ballotShape(db: Db, campaignId: string, groupNo: number) {
  const [{ groups }, scale] = await Promise.all([loadAgenda(db, campaignId), loadScale(db, campaignId)]);
  const group = groups.find((g) => g.no === groupNo);
  if (!group) throw new AppError(404, 'GROUP_NOT_FOUND', '找不到该评议组');
  return { group, departments: group.departments, scale };
}

/**
 * Statements and the new row for opening a venue's voting; the venue key is generated here and
 * stored only sealed under the data-encryption key (bound to this venue × group's row).
 */
export async function prepareOpen(db: Db, campaign: Campaign, groupNo: number, venueName: string, atRest: AtRest | undefined) {
  const cipher = requireAtRest(atRest);
  if (campaign.status !== 'started') throw new AppError(409, 'CAMPAIGN_NOT_STARTED', '活动尚未开始(结构未冻结),不能开启投票');
  const venue = (await loadVenues(db, campaign.id)).find((v) => v.name === venueName);
  if (!venue) throw new AppError(404, 'VENUE_NOT_FOUND', '找不到该会场');
  if (!(venue.seats.get(groupNo) ?? 0)) throw new AppError(409, 'NO_SEATS', `${venueName}在第 ${groupNo} 组没有代表席位`);
  await ballotShape(db, campaign.id, groupNo);
  const [key] = await db.select().from(tallyKeys).where(and(eq(tallyKeys.campaignId, campaign.id), eq(tallyKeys.groupNo, groupNo)));
  if (!key) throw new AppError(409, 'NO_TALLY_KEY', '该组尚未完成计票密钥仪式,选票无法加密封存,不能开启投票');
  const existing = await getSession(db, campaign.id, groupNo, venueName);
  if (existing) throw new AppError(409, existing.state === 'open' ? 'SESSION_OPEN' : 'SESSION_CLOSED', existing.state === 'open' ? '该会场本组投票已经开启' : '该会场本组投票已经结束,不能重新开启');
  const vk = await generateVenueKey();
  const sealedKey = await sealText(cipher, secretRows.venueKey(campaign.id, groupNo, venueName), vk.privateKey);
  // wrapped: a query builder is a thenable, and returning it bare from an async function would run it
  return {
    // two desks opening at once: one session, one key, one audit entry
    preconditions: [stillAbsent(db, votingSessions, sessionKey(campaign.id, groupNo, venueName), new AppError(409, 'SESSION_OPEN', '该会场本组投票已经开启'))],
    insert: db.insert(votingSessions).values({
    campaignId: campaign.id,
    groupNo,
    venueName,
    state: 'open',
    publicKey: vk.publicKey,
    privateKey: sealedKey,
    openedAt: Date.now(),
    }),
  };
}

/**
 * Checks a delegate in and issues their one-time ticket. Only at their own venue, for their
 * own group, once, while voting is open. Returns the statement to run (with its audit entry),
 * the ticket (shown once, stored only as a hash) and the delegate's name for the desk.
 */
export async function prepareCheckin(db: Db, campaign: Campaign, groupNo: number, venueName: string, code: string, channel: 'venue' | 'online', staff?: SessionUser) {
  const found = await findDelegateByCode(db, campaign.id, code);
  if (!found) throw new AppError(404, 'DELEGATE_NOT_FOUND', '代表证号不存在,请核对后重新输入');
  const d = found.delegate;
  // at a desk, another venue's delegate is refused before anything about them is told
  if (staff) assertInScope(staff, { venue: d.venueName });
  if (d.state !== 'selected' && d.state !== 'confirmed') {
    throw new AppError(409, 'NOT_A_DELEGATE', d.state === 'declined' ? '该代表已放弃参会资格,不能签到' : '该人员是候补,尚未递补为正式代表,不能签到');
  }
  if (d.venueName !== venueName) throw new AppError(409, 'WRONG_VENUE', `该代表应在“${d.venueName}”会场签到,不是本会场`);
  if (d.groupNo !== groupNo) throw new AppError(409, 'WRONG_GROUP', `该代表参加第 ${d.groupNo} 组评议,不是第 ${groupNo} 组`);
  const session = await getSession(db, campaign.id, groupNo, venueName);
  if (session?.state !== 'open') throw new AppError(409, 'VOTING_NOT_OPEN', '本会场本组投票尚未开启或已经结束,不能签到');
  const [already] = await db.select({ id: checkins.id }).from(checkins).where(and(eq(checkins.delegateId, d.id), eq(checkins.groupNo, groupNo)));
  if (already) throw new AppError(409, 'ALREADY_CHECKED_IN', '该代表已经签到并领取过选票凭证,不能重复签到');
  const ticket = randomCode('', 3);
  const id = uuidv4();
  return {
    id,
    ticket,
    delegate: found,
    /** Re-checked in the check-in's batch: voting still open here, the delegate still a delegate, not checked in meanwhile. */
    preconditions: [
      stillHolds(db, votingSessions, and(sessionKey(campaign.id, groupNo, venueName), eq(votingSessions.state, 'open')), new AppError(409, 'VOTING_NOT_OPEN', '本会场本组投票尚未开启或已经结束,不能签到')),
      stillHolds(db, delegates, and(eq(delegates.id, d.id), inArray(delegates.state, ['selected', 'confirmed'])), new AppError(409, 'NOT_A_DELEGATE', '该代表已放弃参会资格,不能签到')),
      stillAbsent(db, checkins, and(eq(checkins.delegateId, d.id), eq(checkins.groupNo, groupNo)), new AppError(409, 'ALREADY_CHECKED_IN', '该代表已经签到并领取过选票凭证,不能重复签到')),
    ] as Precondition[],
    insert: db.insert(checkins).values({
      id,
      campaignId: campaign.id,
      groupNo,
      venueName,
      delegateId: d.id,
      channel,
      ticketHash: ticketHash(ticket)!,
      state: 'issued',
      checkedInAt: Date.now(),
    }),
  };
}

/** A device's blinded message (base64url) as bytes; a clear 422 when it is not base64url. */
export function decodeBlinded(blindedMsg: string): Uint8Array {
  try {
    return fromB64url(blindedMsg);
  } catch {
    throw new AppError(422, 'BAD_REQUEST', '盲化消息格式不正确');
  }
}

/** Signs a blinded message with a venue or survey key; a clear 422 when the key refuses it. */
export async function signBlinded(privateKey: string, blinded: Uint8Array): Promise<string> {
  try {
    return b64url(await blindSign(privateKey, blinded));
  } catch {
    throw new AppError(422, 'BAD_REQUEST', '盲化消息无效');
  }
}

/**
 * A venue's signing key (PKCS#8, base64url), opened from its sealed row once per process and
 * kept in memory only: the ballot path pays one AES-GCM decryption per venue, not per request.
 */
const openedVenueKeys = new WeakMap<AtRest, Map<string, Promise<string>>>();
export function venueSigningKey(atRest: AtRest | undefined, session: Pick<VotingSession, 'campaignId' | 'groupNo' | 'venueName' | 'privateKey'>): Promise<string> {
  const cipher = requireAtRest(atRest);
  let venueKeys = openedVenueKeys.get(cipher);
  if (!venueKeys) openedVenueKeys.set(cipher, (venueKeys = new Map()));
  const id = `${session.campaignId}|${session.groupNo}|${session.venueName}|${session.privateKey}`;
  let key = venueKeys.get(id);
  if (!key) {
    if (venueKeys.size > 1000) venueKeys.clear();
    key = openText(cipher, secretRows.venueKey(session.campaignId, session.groupNo, session.venueName), session.privateKey);
    venueKeys.set(id, key);
    key.catch(() => venueKeys.delete(id));
  }
  return key;
}

/**
 * Exchanges a ticket for a blind signature. The same blinded message may be presented again
 * (a lost response) and gets the same signature; any other message after the first is refused.
 */
export async function redeemTicket(db: Db, ticket: string, blindedMsg: string, atRest: AtRest | undefined) {
  requireAtRest(atRest);
  const row = await findTicket(db, ticket);
  if (!row) throw new AppError(404, 'TICKET_NOT_FOUND', '凭证码无效,请核对或请工作人员重新签到');
  if (row.state === 'voided') throw new AppError(409, 'TICKET_VOIDED', '该凭证码已作废,不能投票');
  const session = await getSession(db, row.campaignId, row.groupNo, row.venueName);
  if (session?.state !== 'open') throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束');
  const blinded = decodeBlinded(blindedMsg);
  const blindHash = blindedHash('sanmin-blind-v2', blinded);
  if (row.state === 'redeemed' && row.blindHash !== blindHash) throw new AppError(409, 'TICKET_USED', '该凭证码已经领取过选票凭证,不能再次使用');
  const blindSig = await signBlinded(await venueSigningKey(atRest, session), blinded);
  if (row.state === 'issued') {
    // only one blinded message ever wins the ticket, even under concurrent requests
    await db
      .update(checkins)
      .set({ state: 'redeemed', blindHash })
      // and voting still open at this venue: no credential is handed out after the close was reconciled
      .where(and(eq(checkins.id, row.id), eq(checkins.state, 'issued'), exists(db.select({ one: sql`1` }).from(votingSessions).where(and(sessionKey(row.campaignId, row.groupNo, row.venueName), eq(votingSessions.state, 'open'))))));
    const [now] = await db.select({ state: checkins.state, blindHash: checkins.blindHash }).from(checkins).where(eq(checkins.id, row.id));
    if (now?.state === 'issued') throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束');
    if (now?.state !== 'redeemed' || now.blindHash !== blindHash) throw new AppError(409, 'TICKET_USED', '该凭证码已经领取过选票凭证,不能再次使用');
  }
  return { blindSig, campaignId: row.campaignId, groupNo: row.groupNo };
}

/**
 * The group's venue sessions as last read, for finding which venue key signed a credential.
 * A venue's key never changes (a session opens once and is never reopened), and whether it is
 * still open is checked by the cast's own statements, not here; a credential that no cached key
 * verifies (a venue opened since) makes a fresh read.
 */
const groupSessions = new Map<string, Promise<VotingSession[]>>();

/** A short public name of a venue key: the device says which key signed it, saving trial verifications. */
export const venueKeyId = (publicKey: string) => sha256Hex(`sanmin-venue-key-v1:${publicKey}`).slice(0, 16);

const keyIds = new LruCache<string, string>({ max: 1000 });
const cachedKeyId = (publicKey: string) => keyIds.getOrSet(publicKey, () => venueKeyId(publicKey));

/** Tries the hinted key first: the venue is learnt at cast anyway (for its counter), so the hint reveals nothing more. */
function hintedFirst(sessions: VotingSession[], keyId: string | undefined): VotingSession[] {
  const hinted = keyId ? sessions.find((s) => cachedKeyId(s.publicKey) === keyId) : undefined;
  return hinted ? [hinted, ...sessions.filter((s) => s !== hinted)] : sessions;
}

/** The session whose venue key signed this credential, among the group's sessions. */
async function sessionOfCredential(db: Db, campaignId: string, groupNo: number, cred: CredentialBytes, keyId?: string) {
  const key = `${campaignId}|${groupNo}`;
  const tried = new Set<string>();
  const cached = groupSessions.get(key);
  if (cached) {
    for (const s of hintedFirst(await cached, keyId)) {
      tried.add(s.publicKey);
      if (await verifyCredential(s.publicKey, cred)) return s;
    }
  }
  const fresh = listSessions(db, campaignId, groupNo);
  if (groupSessions.size > 200) groupSessions.clear();
  groupSessions.set(key, fresh);
  fresh.catch(() => groupSessions.delete(key));
  for (const s of hintedFirst(await fresh, keyId)) {
    if (tried.has(s.publicKey)) continue;
    if (await verifyCredential(s.publicKey, cred)) return s;
  }
  return undefined;
}

/**
 * Casts and device voids at a venue can never outnumber the signatures it issued (tickets
 * exchanged for a blind signature): checked inside the very statement that spends a
 * credential, so a venue key taken from a database copy can at most use up signatures that
 * honest delegates left unused — it cannot add ballots beyond them.
 */
function withinSignatures(campaignId: string, groupNo: number, venueName: string) {
  return sql`(SELECT ballots_cast + voided_spent FROM voting_sessions WHERE campaign_id = ${campaignId} AND group_no = ${groupNo} AND venue_name = ${venueName})
    < (SELECT count(*) FROM checkins WHERE campaign_id = ${campaignId} AND group_no = ${groupNo} AND venue_name = ${venueName} AND state = 'redeemed')`;
}

async function signaturesUsedUp(db: Db, campaignId: string, groupNo: number, venueName: string): Promise<boolean> {
  const [row] = await db.select({ used: sql<number>`${withinSignatures(campaignId, groupNo, venueName)}` }).from(sql`(SELECT 1)`);
  return row?.used === 0;
}

const signaturesExhausted = () =>
  new AppError(409, 'SIGNATURES_EXHAUSTED', '本会场已投出和作废的选票凭证数已达到签发数,这张凭证不能再使用;请立即联系工作人员核查');

export type CastOutcome = { status: 'accepted' | 'duplicate'; receipt: string };

/**
 * The group's tally public key as last read. It can change only while the group has no ballot
 * (a repeated ceremony); the cast's insert names the key the device sealed with, so a ballot
 * sealed to a replaced key is never stored: the device is told to check the new key and reseal.
 */
const tallyPublicKeys = new LruCache<string, Promise<string | undefined>>({ max: 200 });
export function tallyPublicKey(db: Db, campaignId: string, groupNo: number, fresh = false): Promise<string | undefined> {
  const k = `${campaignId}|${groupNo}`;
  let key = fresh ? undefined : tallyPublicKeys.get(k);
  if (!key) {
    key = db
      .select({ publicKey: tallyKeys.publicKey })
      .from(tallyKeys)
      .where(and(eq(tallyKeys.campaignId, campaignId), eq(tallyKeys.groupNo, groupNo)))
      .then((r) => r[0]?.publicKey);
    tallyPublicKeys.set(k, key);
    // a group without a key yet (or a failed read) is asked again next time, unless a newer read replaced it
    const read = key;
    const forget = () => tallyPublicKeys.get(k) === read && tallyPublicKeys.delete(k);
    read.then((v) => v ?? forget(), forget);
  }
  return key;
}

/**
 * Casts one ballot sealed on the device. The server never sees the choices: it checks the
 * credential, that the ciphertext is well formed (strict base64url, a padded ballot's length)
 * and that the device sealed to the group's current tally key, then one atomic batch records
 * the spent credential, counts the ballot at the venue and stores it, the last two only if this
 * credential's use carries this receipt and no ballot with this receipt is stored yet: a retry
 * (same credential, same ciphertext) changes nothing and gets the same receipt; the same
 * ciphertext under another credential is refused inside the insert. What the plaintext says is
 * the tally's business: a ballot that opens to nonsense counts as invalid there.
 * Concurrent casts share a commit (group commit).
 */
export async function castBallot(db: Db, campaign: Campaign, groupNo: number, cred: Credential, ciphertext: string, tallyKey: string, keyId?: string): Promise<CastOutcome> {
  const problem = sealedBallotProblem(ciphertext);
  if (problem) throw new AppError(422, 'INVALID_CIPHERTEXT', problem, { ciphertext: problem });
  if (!isRawPublicKey(tallyKey)) throw new AppError(422, 'INVALID_TALLY_KEY', '计票公钥格式不正确', { tallyKey: '计票公钥格式不正确' });
  const bytes = decodeCredential(cred);
  const session = bytes && (await sessionOfCredential(db, campaign.id, groupNo, bytes, keyId));
  if (!bytes || !session) throw new AppError(403, 'INVALID_CREDENTIAL', '选票凭证无效:不是本组任何会场签发的凭证');
  const hash = credentialHash(bytes.msg);
  const tag = ballotTag(bytes.msg, ciphertext);
  const receipt = ballotReceipt(ciphertext);
  const within = withinSignatures(campaign.id, groupNo, session.venueName);
  // this attempt won: its credential use carries this receipt, and the ballot is not stored yet
  const won = sql`EXISTS (SELECT 1 FROM credential_uses WHERE credential_hash = ${hash} AND receipt = ${receipt})
    AND NOT EXISTS (SELECT 1 FROM ballots WHERE receipt = ${receipt})`;
  // query builders only: D1's batch() takes builders, not raw db.run() statements
  const [inserted] = (await groupCommit(db, [
    db
      .insert(credentialUses)
      .select(
        sql`SELECT ${hash}, ${campaign.id}, ${groupNo}, 'cast', ${tag}, ${receipt}
          WHERE EXISTS (SELECT 1 FROM voting_sessions WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo}
            AND venue_name = ${session.venueName} AND state = 'open') AND ${notCommittedSql(campaign.id, groupNo)}
            AND EXISTS (SELECT 1 FROM tally_keys WHERE campaign_id = ${campaign.id} AND group_no = ${groupNo} AND public_key = ${tallyKey})
            AND NOT EXISTS (SELECT 1 FROM ballots WHERE receipt = ${receipt})
            AND ${within}`,
      )
      .onConflictDoNothing()
      .returning({ receipt: credentialUses.receipt }),
    // counted before it is stored, so both read the same "not stored yet"
    db
      .update(votingSessions)
      .set({ cast: sql`${votingSessions.cast} + 1` })
      .where(and(eq(votingSessions.campaignId, campaign.id), eq(votingSessions.groupNo, groupNo), eq(votingSessions.venueName, session.venueName), won)),
    db.insert(ballots).select(sql`SELECT ${receipt}, ${campaign.id}, ${groupNo}, ${ciphertext} WHERE ${won}`).onConflictDoNothing(),
  ])) as [{ receipt: string | null }[]];
  if (inserted.length) return { status: 'accepted', receipt };
  const [use] = await db.select().from(credentialUses).where(eq(credentialUses.credentialHash, hash));
  if (use?.kind === 'void') throw new AppError(409, 'CREDENTIAL_VOIDED', '该选票凭证已作废,不能投票');
  if (use && use.tag === tag) return { status: 'duplicate', receipt: use.receipt! };
  if (use) throw new AppError(409, 'CREDENTIAL_SPENT', '该选票凭证已经投过票,不能再投另一张选票');
  const [stored] = await db.select({ receipt: ballots.receipt }).from(ballots).where(eq(ballots.receipt, receipt));
  if (stored) throw new AppError(409, 'CIPHERTEXT_REPLAYED', '这张密文已经投入票箱,不能用另一张凭证再投一次;请在本机重新填写选票');
  if (await signaturesUsedUp(db, campaign.id, groupNo, session.venueName)) throw signaturesExhausted();
  const current = await tallyPublicKey(db, campaign.id, groupNo, true);
  if (!current) throw new AppError(409, 'NO_TALLY_KEY', '该组没有计票公钥,无法投票');
  if (current !== tallyKey) {
    throw new AppError(409, 'TALLY_KEY_CHANGED', '本组计票公钥与设备封存时所用的不同:设备将核对公布的密钥清单并重新封存选票', { tallyPublicKey: current });
  }
  throw new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束,选票未被接收');
}

/** A holder voids a signed credential it will not use (tablet fault). Counted at its venue. */
export async function voidCredential(db: Db, campaign: Campaign, groupNo: number, cred: Credential) {
  const bytes = decodeCredential(cred);
  const session = bytes && (await sessionOfCredential(db, campaign.id, groupNo, bytes));
  if (!bytes || !session) throw new AppError(403, 'INVALID_CREDENTIAL', '选票凭证无效');
  const hash = credentialHash(bytes.msg);
  const marker = sha256Hex(`sanmin-void-v1:${crypto.randomUUID()}`);
  await db.batch([
    db
      .insert(credentialUses)
      .select(sql`SELECT ${hash}, ${campaign.id}, ${groupNo}, 'void', ${marker}, NULL WHERE ${withinSignatures(campaign.id, groupNo, session.venueName)}`)
      .onConflictDoNothing(),
    db
      .update(votingSessions)
      .set({ voidedSpent: sql`${votingSessions.voidedSpent} + 1` })
      .where(
        and(
          eq(votingSessions.campaignId, campaign.id),
          eq(votingSessions.groupNo, groupNo),
          eq(votingSessions.venueName, session.venueName),
          sql`EXISTS (SELECT 1 FROM credential_uses WHERE credential_hash = ${hash} AND tag = ${marker})`,
        ),
      ),
  ]);
  const [use] = await db.select().from(credentialUses).where(eq(credentialUses.credentialHash, hash));
  if (use?.kind === 'cast') throw new AppError(409, 'CREDENTIAL_SPENT', '该凭证已经投票,不能作废');
  if (!use) throw signaturesExhausted();
  return { venueName: session.venueName };
}

/** A ticket is voided only while it is still unredeemed and its venue still open (re-checked in the void's batch). */
export function voidPreconditions(db: Db, checkin: { id: string; campaignId: string; groupNo: number; venueName: string }): Precondition[] {
  return [
    stillHolds(db, checkins, and(eq(checkins.id, checkin.id), eq(checkins.state, 'issued')), new AppError(409, 'CREDENTIAL_ON_DEVICE', '该凭证刚刚被领取到投票设备或已被作废,未能作废')),
    stillHolds(db, votingSessions, and(sessionKey(checkin.campaignId, checkin.groupNo, checkin.venueName), eq(votingSessions.state, 'open')), new AppError(409, 'VOTING_CLOSED', '本会场本组投票已经结束')),
  ];
}

export interface TurnoutRow extends Reconciliation {
  venue: string;
  group: number;
  state: 'pending' | 'open' | 'closed';
}

/** Turnout and reconciliation of every venue × group with seats, plus the group cross-checks. Counts only. */
export async function loadTurnout(db: Db, campaign: Campaign) {
  const [venues, sessions, ticketCounts, ballotCounts] = await Promise.all([
    loadVenues(db, campaign.id),
    listSessions(db, campaign.id),
    db
      .select({ groupNo: checkins.groupNo, venueName: checkins.venueName, state: checkins.state, n: count() })
      .from(checkins)
      .where(eq(checkins.campaignId, campaign.id))
      .groupBy(checkins.groupNo, checkins.venueName, checkins.state),
    db.select({ groupNo: ballots.groupNo, n: count() }).from(ballots).where(eq(ballots.campaignId, campaign.id)).groupBy(ballots.groupNo),
  ]);
  const groupNos = [...new Set(venues.flatMap((v) => [...v.seats.keys()]))].sort((a, b) => a - b);
  const rows: TurnoutRow[] = [];
  for (const g of groupNos) {
    for (const v of venues) {
      const seats = v.seats.get(g) ?? 0;
      if (!seats) continue;
      const s = sessions.find((x) => x.groupNo === g && x.venueName === v.name);
      const t = (state: string) => ticketCounts.find((x) => x.groupNo === g && x.venueName === v.name && x.state === state)?.n ?? 0;
      rows.push({
        venue: v.name,
        group: g,
        state: s?.state ?? 'pending',
        ...reconcile({ seats, tickets: { issued: t('issued'), redeemed: t('redeemed'), voided: t('voided') }, cast: s?.cast ?? 0, voidedSpent: s?.voidedSpent ?? 0 }),
      });
    }
  }
  const groupChecks = groupNos.map((g) => ({
    group: g,
    alarms: groupAlarms({
      castCounted: sessions.filter((s) => s.groupNo === g).reduce((a, s) => a + s.cast, 0),
      ballotsStored: ballotCounts.find((b) => b.groupNo === g)?.n ?? 0,
    }),
  }));
  return { rows, totals: totals(rows), groupChecks };
}

/**
 * The close is decided on the figures read (the reconciliation the audit entry records): it lands
 * only while the session is open and no check-in, cast or void has changed those figures since.
 */
export function closePreconditions(db: Db, campaignId: string, groupNo: number, venueName: string, seen: { cast: number; issued: number; voided: number }): Precondition[] {
  const changed = new AppError(409, 'TURNOUT_CHANGED', '结束过程中本会场又有签到、投票或作废,对账数字已变化;请核对最新数字后重新结束');
  const here = sql`${checkins.campaignId} = ${campaignId} AND ${checkins.groupNo} = ${groupNo} AND ${checkins.venueName} = ${venueName}`;
  return [
    stillHolds(db, votingSessions, and(sessionKey(campaignId, groupNo, venueName), eq(votingSessions.state, 'open')), new AppError(409, 'VOTING_NOT_OPEN', '该会场本组投票未在进行中')),
    {
      holds: sql`EXISTS (SELECT 1 FROM ${votingSessions} WHERE ${sessionKey(campaignId, groupNo, venueName)} AND ${votingSessions.cast} = ${seen.cast}
          AND ${votingSessions.voidedSpent} + (SELECT count(*) FROM ${checkins} WHERE ${here} AND ${checkins.state} = 'voided') = ${seen.voided})
        AND (SELECT count(*) FROM ${checkins} WHERE ${here}) = ${seen.issued}`,
      otherwise: changed,
    },
  ];
}
