import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.service';
import { surveyResultDrafts, surveyResults } from '../../src/db/schema';
import { closeSurvey, createSocialSurvey, getSurvey, openSurvey } from '../../src/survey/survey.service';
import { surveyScope } from '../../src/survey/response.core';
import { setSurveyParams, surveyCommitment, surveyResponsesFile, surveySeatsDocument } from '../../src/survey/survey-seal.service';
import { unsealSurveyWithShares, type SurveyResult } from '../../src/survey/survey-unseal.core';
import { openSealedShare, runCeremonyCore, type SealedShareFile } from '../../src/tally/ceremony.core';
import { rehearsalCeremony } from '../../src/tally/rehearsal.service';
import { seatKeyFromPassphrase } from '../../src/tally/seat-key.core';
import { commitGroup, commitmentDocument, committedBallots } from '../../src/tally/tally.service';
import { unsealWithShares } from '../../src/tally/unseal.core';
import { eq } from 'drizzle-orm';
import { addUser, atRestOf, Browser, PASSWORD, testApp } from '../helpers/app';
import { api } from '../helpers/hearing';
import { castSealed, closeAllVenues } from '../helpers/tally';
import { openSocialSurvey, respond, responseCredential, socialAnswers } from '../helpers/survey';

/**
 * A survey's key is held by its custodians exactly as a group's is: public seat keys, the
 * ceremony off the server, sealed shares, unsealing on the custodians' side, a posted result the
 * server recomputes, k approvals. Each attack on that, one test each.
 */
let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'stat', 'statistician');
  for (const n of [1, 2, 3]) await addUser(t.db, `sc${n}`, 'custodian');
});
afterAll(() => t.close());

const login = async (username: string) => (await api(t.app, '/api/login', { username, password: PASSWORD })).json?.token as string;
const base = (id: string) => `/api/campaigns/2018/surveys/${id}/tally`;

/** A closed social survey with `n` responses, unsealed by nobody yet. */
async function closedSurvey(n: number) {
  const { survey, codes, shares } = await openSocialSurvey(t.db, n);
  for (const [i, code] of codes.entries()) {
    const { credential } = await responseCredential(t.app, code);
    expect((await respond(t.app, survey, credential, socialAnswers(Array(13).fill(1 + (i % 3)), i === 0 ? { q17: '希望多建公园。' } : {}))).status).toBe(201);
  }
  await closeSurvey(t.db, SYSTEM_ACTOR, campaign, survey);
  const closed = await getSurvey(t.db, campaign, survey.id);
  return { survey: closed, shares, commitment: await surveyCommitment(t.db, campaign, closed), file: await surveyResponsesFile(t.db, campaign, closed) };
}

describe('scope: a group’s share never opens a survey, and back', () => {
  it('tally shares given to a survey’s unsealing are refused, even relabelled as the survey’s; survey shares given to a group’s are refused too', async () => {
    const group = await rehearsalCeremony(t.db, campaign, 3);
    const { survey, shares, commitment, file } = await closedSurvey(2);
    const k = survey.threshold;
    const tallyShares = group.shares.slice(0, k).map((s) => JSON.stringify(s));
    await expect(unsealSurveyWithShares(commitment, file, tallyShares)).rejects.toMatchObject({ code: 'SHARE_OTHER_GROUP' });
    // the same shares claiming the survey's scope and group 0: they rebuild the group's key, not the survey's
    const relabelled = group.shares.slice(0, k).map((s) => JSON.stringify({ ...s, campaign: surveyScope('2018', survey.id), group: 0, fingerprint: undefined }));
    await expect(unsealSurveyWithShares(commitment, file, relabelled)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    // a printed tally code ("3-1:…") names group 3
    await expect(unsealSurveyWithShares(commitment, file, [`3-1:${group.shares[0]!.share}`, ...tallyShares.slice(1)])).rejects.toMatchObject({ code: 'SHARE_OTHER_GROUP' });
    // and the other way: a committed group unsealed with the survey's shares
    await closeAllVenues(t.db, campaign, 3);
    const departments = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 3)!.departments.length;
    await castSealed(t.db, campaign, 3, group.publicKey, [Array(departments).fill(1)]);
    await commitGroup(t.db, SYSTEM_ACTOR, campaign, 3);
    const groupCommitment = JSON.parse((await commitmentDocument(t.db, campaign.id, 3))!);
    const ballots = await committedBallots(t.db, campaign, 3);
    await expect(unsealWithShares(groupCommitment, ballots, shares.slice(0, k).map((s) => JSON.stringify(s)))).rejects.toMatchObject({ code: 'SHARE_OTHER_GROUP' });
    const asGroup = shares.slice(0, k).map((s) => JSON.stringify({ ...s, campaign: '2018', group: 3, fingerprint: undefined }));
    await expect(unsealWithShares(groupCommitment, ballots, asGroup)).rejects.toMatchObject({ code: 'KEY_MISMATCH' });
    // the survey's own shares do open it
    const { result } = await unsealSurveyWithShares(commitment, file, shares.slice(0, k).map((s) => JSON.stringify(s)));
    expect(result.tally.responses).toBe(2);
  });

  it('a sealed tally share cannot be opened with the same passphrase’s survey seat key: the salt binds the scope', async () => {
    const passphrase = '春江潮水连海平海上明月共潮生';
    const tallyKey = await seatKeyFromPassphrase(passphrase, '2018', 1, 1, { N: 2 ** 10, r: 8, p: 1 });
    const surveyKey = await seatKeyFromPassphrase(passphrase, surveyScope('2018', 'x'), 0, 1, { N: 2 ** 10, r: 8, p: 1 });
    expect(tallyKey.publicKey).not.toBe(surveyKey.publicKey);
  });
});

describe('seat keys from the custodian, not from the login session', () => {
  it('a custodian who logs in again (new session) still opens their sealed survey share with the passphrase', async () => {
    const id = await createSocialSurvey(t.db, SYSTEM_ACTOR, campaign);
    await setSurveyParams(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, id), 2, 2);
    const scope = surveyScope('2018', id);
    const passphrases = ['春江潮水连海平海上明月共潮生', '滟滟随波千万里何处春江无月明'];
    const tokens = [await login('sc1'), await login('sc2')];
    for (const [i, p] of passphrases.entries()) {
      const key = await seatKeyFromPassphrase(p, scope, 0, i + 1);
      const joined = await api(t.app, `${base(id)}/join`, { seat: i + 1, seatKey: key.publicKey }, tokens[i]);
      expect(joined.status, joined.text).toBe(200);
    }
    const stat = await login('stat');
    const seats = await api(t.app, `${base(id)}/seats`, undefined, stat);
    expect(seats.json).toMatchObject({ kind: 'sanmin-tally-seats', campaign: scope, group: 0, shareCount: 2, threshold: 2 });
    const uploaded = await api(t.app, `${base(id)}/ceremony`, await runCeremonyCore(seats.json), stat);
    expect(uploaded.status, uploaded.text).toBe(200);
    // the server kept the public key and sealed shares only
    expect((await getSurvey(t.db, campaign, id)).sealKey).toBe(uploaded.json.publicKey);
    const again = await login('sc1'); // a new session on another device
    const sealed = (await api(t.app, `${base(id)}/share`, undefined, again)).json as SealedShareFile;
    expect(sealed).toMatchObject({ campaign: scope, group: 0, seat: 1 });
    const key = await seatKeyFromPassphrase(passphrases[0]!, scope, 0, 1);
    const share = await openSealedShare(sealed, key.privateKey);
    expect(share.fingerprint).toBe(uploaded.json.fingerprints[0].fingerprint);
    // another custodian's session gets their own seat's share, never seat 1's
    expect(((await api(t.app, `${base(id)}/share`, undefined, tokens[1])).json as SealedShareFile).seat).toBe(2);
    expect((await api(t.app, `${base(id)}/share`, undefined, await login('sc3'))).json.error.code).toBe('NO_SEAT');
  });

  it('a ceremony file altered after the ceremony, made for a group, or uploaded after opening is refused; seats are fixed once held', async () => {
    const id = await createSocialSurvey(t.db, SYSTEM_ACTOR, campaign);
    const survey = await getSurvey(t.db, campaign, id);
    await setSurveyParams(t.db, SYSTEM_ACTOR, campaign, survey, 2, 2);
    const tokens = [await login('sc1'), await login('sc2')];
    for (const [i, tok] of tokens.entries()) {
      const key = await seatKeyFromPassphrase(`第${i + 1}席口令海上明月共潮生`, surveyScope('2018', id), 0, i + 1, { N: 2 ** 10, r: 8, p: 1 });
      expect((await api(t.app, `${base(id)}/join`, { seat: i + 1, seatKey: key.publicKey }, tok)).status).toBe(200);
    }
    const stat = await login('stat');
    const seats = await surveySeatsDocument(t.db, campaign, await getSurvey(t.db, campaign, id));
    const file = await runCeremonyCore(seats);
    const altered = structuredClone(file);
    altered.seats[0]!.sealedShare = file.seats[1]!.sealedShare.slice(0, -1) + (file.seats[1]!.sealedShare.endsWith('A') ? 'B' : 'A');
    expect((await api(t.app, `${base(id)}/ceremony`, altered, stat)).json.error.code).toBe('CEREMONY_ALTERED');
    const forGroup = await runCeremonyCore({ ...seats, campaign: '2018', group: 1 });
    expect((await api(t.app, `${base(id)}/ceremony`, forGroup, stat)).json.error.code).toBe('CEREMONY_OTHER_GROUP');
    expect((await getSurvey(t.db, campaign, id)).sealKey).toBeNull();
    expect((await api(t.app, `${base(id)}/ceremony`, file, stat)).status).toBe(200);
    // an upload made on the seats as they were before is stale now
    expect((await api(t.app, `${base(id)}/ceremony`, await runCeremonyCore(seats), stat)).json.error.code).toBe('CEREMONY_STALE');
    const sc3 = await login('sc3');
    expect((await api(t.app, `${base(id)}/join`, { seat: 2, seatKey: seats.seats[0]!.seatKey }, sc3)).json.error.code).toBe('SEAT_KEY_REUSED');
    const fresh = await seatKeyFromPassphrase('第三席口令滟滟随波千万里', surveyScope('2018', id), 0, 2, { N: 2 ** 10, r: 8, p: 1 });
    expect((await api(t.app, `${base(id)}/join`, { seat: 2, seatKey: fresh.publicKey }, sc3)).json.error.code).toBe('CEREMONY_HELD');
    await openSurvey(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, id), atRestOf(t.db));
    const replaced = await runCeremonyCore(await surveySeatsDocument(t.db, campaign, await getSurvey(t.db, campaign, id)));
    const late = await api(t.app, `${base(id)}/ceremony`, replaced, stat);
    expect([late.status, late.json.error.code]).toEqual([409, 'CEREMONY_LOCKED']);
    expect((await getSurvey(t.db, campaign, id)).sealKey).toBe(file.publicKey);
  });

  it('on the survey page: a custodian registers a seat key with the form; a malformed key is refused in Chinese and seats nobody', async () => {
    const id = await createSocialSurvey(t.db, SYSTEM_ACTOR, campaign);
    const cust = new Browser(t.app);
    await cust.login('sc2');
    const page = await cust.get(`/staff/c/2018/surveys/${id}`);
    expect(page.body).toContain(`npm run seat-key -- --campaign 2018 --survey ${id}`);
    const bad = await cust.post(`/staff/c/2018/surveys/${id}/tally/join`, { seat: '1', seatKey: 'not-a-key' });
    expect(bad.status).toBe(422);
    expect(bad.body).toContain('席位公钥');
    expect((await surveySeatsDocument(t.db, campaign, await getSurvey(t.db, campaign, id))).seats).toEqual([]);
    const key = await seatKeyFromPassphrase('第二席口令海上明月共潮生', surveyScope('2018', id), 0, 1, { N: 2 ** 10, r: 8, p: 1 });
    await cust.get(`/staff/c/2018/surveys/${id}`);
    const ok = await cust.post(`/staff/c/2018/surveys/${id}/tally/join`, { seat: '1', seatKey: key.publicKey });
    expect(ok.res.headers.get('location')).toContain('done=join');
    expect((await surveySeatsDocument(t.db, campaign, await getSurvey(t.db, campaign, id))).seats).toEqual([{ seat: 1, custodian: 'sc2', seatKey: key.publicKey }]);
  });

  it('the server-side key generation, share hand-in and session-derived seats are gone', async () => {
    const { survey } = await openSocialSurvey(t.db);
    const cust = new Browser(t.app);
    await cust.login('sc1');
    await cust.get(`/staff/c/2018/surveys/${survey.id}`);
    for (const path of ['tally/submit', 'tally/share']) expect((await cust.post(`/staff/c/2018/surveys/${survey.id}/${path}`, { share: '0-1:00' })).status, path).toBe(404);
    const page = await cust.get(`/staff/c/2018/surveys/${survey.id}`);
    expect(page.body).not.toContain('交回分片');
  });
});

describe('a posted survey result is accepted only if it recomputes', () => {
  it('a changed tally, a dropped response, another root or a result with the key is refused and stores nothing; the honest one awaits k approvals', async () => {
    const { survey, shares, commitment, file } = await closedSurvey(3);
    const { result } = await unsealSurveyWithShares(commitment, file, shares.slice(0, survey.threshold).map((s) => JSON.stringify(s)));
    const token = await login('stat');
    const post = (r: unknown) => api(t.app, `${base(survey.id)}/result`, r, token);
    const inflated: SurveyResult = structuredClone(result);
    inflated.tally.questions.find((q) => q.id === 'q3')!.options[0]!.count += 1;
    const dropped: SurveyResult = { ...structuredClone(result), answers: result.answers.slice(1) };
    const swapped: SurveyResult = structuredClone(result);
    const a0 = swapped.answers.find((a) => a !== null)!;
    a0['q3'] = a0['q3'] === 1 ? 2 : 1; // one response's answer changed, the tally left as it was
    const rooted: SurveyResult = { ...structuredClone(result), commitment: { ...result.commitment, root: '0'.repeat(64) } };
    const keyed = { ...structuredClone(result), privateKey: 'x' };
    const expected = [
      [inflated, 'TALLY_MISMATCH'],
      [dropped, 'COUNT_MISMATCH'],
      [swapped, 'TALLY_MISMATCH'],
      [rooted, 'ROOT_MISMATCH'],
      [keyed, 'RESULT_WITH_KEY'],
      [{ ...structuredClone(result), survey: 'another' }, 'RESULT_OTHER_SURVEY'],
    ] as const;
    for (const [r, code] of expected) {
      const res = await post(r);
      expect([res.status, res.json.error.code], code).toEqual([422, code]);
      expect(res.json.error.message).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(await t.db.select().from(surveyResultDrafts).where(eq(surveyResultDrafts.surveyId, survey.id))).toEqual([]);
    const ok = await post(result);
    expect(ok.status, ok.text).toBe(200);
    // nothing public before k approvals; a custodian without a seat cannot approve; a stale digest is refused
    expect((await t.app.request(`http://localhost/c/2018/surveys/${survey.id}/results`)).status).toBe(404);
    expect((await api(t.app, `${base(survey.id)}/approve`, { digest: ok.json.digest }, await login('sc1'))).json.error.code).toBe('NO_SEAT');
    expect(await t.db.select().from(surveyResults).where(eq(surveyResults.surveyId, survey.id))).toEqual([]);
  });
});
