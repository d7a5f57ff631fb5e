import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { b64url } from '../../src/lib/bytes.core';
import { closeSurvey, getSurvey, type Survey } from '../../src/survey/survey.service';
import { CIPHERTEXT_OVERHEAD, RESPONSE_BLOCK } from '../../src/survey/response.core';
import { generateTallyKeyPair } from '../../src/tally/seal.core';
import { addUser, Browser, testApp } from '../helpers/app';
import { api } from '../helpers/hearing';
import { openDisciplineSurvey, openSocialSurvey, respond, respondOpen, respondOpenSealed, respondSealed, responseCredential, sealResponse, socialAnswers, unsealSurveyAsCustodians } from '../helpers/survey';

/**
 * Responses are sealed on the respondent's device; the server receives a ciphertext and the key
 * it was sealed to, never the answers. Each attack on that exchange, one test each.
 */
let t: Awaited<ReturnType<typeof testApp>>;

beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
});
afterAll(() => t.close());

const stored = async (survey: Survey) => Number((await t.client.execute({ sql: 'SELECT count(*) AS n FROM survey_responses WHERE survey_id = ?', args: [survey.id] })).rows[0]!['n']);
const counted = async (survey: Survey) => (await getSurvey(t.db, await getCampaign(t.db, '2018'), survey.id)).responses;
const ANSWERS = socialAnswers(Array(13).fill(1));

describe('a ciphertext copied from another respondent', () => {
  it('replayed under another credential: 409 CIPHERTEXT_REPLAYED, counted once, and the second credential is not spent', async () => {
    const { survey, codes } = await openSocialSurvey(t.db, 2);
    const alice = await responseCredential(t.app, codes[0]!);
    const mallory = await responseCredential(t.app, codes[1]!);
    const first = await respond(t.app, survey, alice.credential, ANSWERS);
    expect(first.status).toBe(201);
    const copied = await respondSealed(t.app, survey, mallory.credential, first.sent.ciphertext);
    expect(copied.status).toBe(409);
    expect(copied.json.error.code).toBe('CIPHERTEXT_REPLAYED');
    expect(copied.json.error.message).toContain('已经提交过');
    expect([await stored(survey), await counted(survey)]).toEqual([1, 1]);
    // the copier's own credential still answers once
    expect((await respond(t.app, survey, mallory.credential, socialAnswers(Array(13).fill(2)))).status).toBe(201);
    expect([await stored(survey), await counted(survey)]).toEqual([2, 2]);
  });

  it('replayed into another open questionnaire: refused, nothing stored there', async () => {
    const a = await openDisciplineSurvey(t.db);
    const b = await openDisciplineSurvey(t.db);
    const sent = await respondOpen(t.app, a.survey, { q1: 1 });
    expect(sent.status).toBe(201);
    // same key claim as the target, so it passes the key check and meets the stored receipt
    const replay = await respondOpenSealed(t.app, b.survey, sent.sent.ciphertext);
    expect(replay.status).toBe(409);
    expect(replay.json.error.code).toBe('CIPHERTEXT_REPLAYED');
    expect([await stored(a.survey), await stored(b.survey), await counted(b.survey)]).toEqual([1, 0, 0]);
  });
});

describe('a device sealing to the wrong key', () => {
  it('a stale or foreign seal key: 409 SEAL_KEY_CHANGED naming the current key; nothing stored, the credential unspent', async () => {
    const { survey, codes } = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const stale = (await generateTallyKeyPair()).publicKey;
    const sealed = await sealResponse(survey, ANSWERS, { sealKey: stale });
    const r = await respondSealed(t.app, survey, credential, sealed.ciphertext, stale);
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('SEAL_KEY_CHANGED');
    expect(r.json.error.fields.sealKey).toBe(survey.sealKey);
    expect([await stored(survey), await counted(survey)]).toEqual([0, 0]);
    expect((await respond(t.app, survey, credential, ANSWERS)).status).toBe(201);
  });

  it('the open questionnaire checks the key the same way', async () => {
    const { survey } = await openDisciplineSurvey(t.db);
    const stale = (await generateTallyKeyPair()).publicKey;
    const sealed = await sealResponse(survey, { q1: 1 }, { sealKey: stale });
    const r = await respondOpenSealed(t.app, survey, sealed.ciphertext, { sealKey: stale });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe('SEAL_KEY_CHANGED');
    expect(r.json.error.fields.sealKey).toBe(survey.sealKey);
    expect(await stored(survey)).toBe(0);
  });
});

describe('ciphertexts that are not what a device makes', () => {
  it('non-canonical base64url (padding, +/, stray trailing bits, line breaks) and wrong lengths: 422 INVALID_CIPHERTEXT, nothing stored, credential unspent', async () => {
    const { survey, codes } = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const { ciphertext } = await sealResponse(survey, ANSWERS);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(ciphertext.at(-1)!);
    const spellings = {
      padded: `${ciphertext}==`,
      standardAlphabet: ciphertext.replace(/-/g, '+').replace(/_/g, '/'),
      strayBits: ciphertext.slice(0, -1) + alphabet[last ^ 1],
      lineBreak: `${ciphertext.slice(0, 76)}\n${ciphertext.slice(76)}`,
      truncated: ciphertext.slice(0, -4),
      empty: '',
      enc: b64url(new Uint8Array(32)),
      notWholeBlocks: b64url(new Uint8Array(CIPHERTEXT_OVERHEAD + 512)),
      // the social survey's responses take at most 4 blocks (K)
      overK: b64url(new Uint8Array(CIPHERTEXT_OVERHEAD + 5 * RESPONSE_BLOCK)),
    };
    expect(spellings.standardAlphabet).not.toBe(ciphertext);
    for (const [name, text] of Object.entries(spellings)) {
      const r = await respondSealed(t.app, survey, credential, text);
      expect(r.status, name).toBe(422);
      expect(r.json.error.code, name).toBe('INVALID_CIPHERTEXT');
      expect(r.json.error.message, name).toMatch(/加密答卷/);
    }
    expect(await stored(survey)).toBe(0);
    expect((await respondSealed(t.app, survey, credential, ciphertext)).status).toBe(201);
  });

  it('answers posted in the clear (an old page or a forged client): 422 PLAINTEXT_REFUSED, nothing stored', async () => {
    const { survey, codes } = await openSocialSurvey(t.db, 1);
    const { credential } = await responseCredential(t.app, codes[0]!);
    const plain = await api(t.app, '/api/survey/respond', { campaign: '2018', survey: survey.id, credential, answers: ANSWERS });
    expect(plain.status).toBe(422);
    expect(plain.json.error.code).toBe('PLAINTEXT_REFUSED');
    const both = await api(t.app, '/api/survey/respond', { campaign: '2018', survey: survey.id, credential, answers: ANSWERS, ...(await sealResponse(survey, ANSWERS)), sealKey: survey.sealKey });
    expect(both.json.error.code).toBe('PLAINTEXT_REFUSED');
    const { survey: open } = await openDisciplineSurvey(t.db);
    const openPlain = await api(t.app, '/api/survey/respond-open', { campaign: '2018', survey: open.id, answers: { q1: 1 } });
    expect(openPlain.json.error.code).toBe('PLAINTEXT_REFUSED');
    expect([await stored(survey), await stored(open)]).toEqual([0, 0]);
  });

  it('the open form posted as a plain HTML form: 410 PLAINTEXT_REFUSED, nothing stored or counted', async () => {
    const { survey } = await openDisciplineSurvey(t.db);
    const b = new Browser(t.app);
    await b.get('/login');
    const r = await b.post(`/c/2018/surveys/${survey.id}`, { q1: '2', q2: '1', q4: '明文反映' });
    expect(r.status).toBe(410);
    expect(r.body).toContain('答卷须在您的设备上加密后提交');
    expect([await stored(survey), await counted(survey)]).toEqual([0, 0]);
  });
});

describe('retries of one sealed response', () => {
  it('the open questionnaire: the same ciphertext resent, even concurrently, counts once and answers with the first receipt', async () => {
    const { survey } = await openDisciplineSurvey(t.db);
    const { ciphertext, receipt } = await sealResponse(survey, { q1: 2, q2: [1], q4: '有人请托' });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => respondOpenSealed(t.app, survey, ciphertext, { ip: `192.0.2.${30 + i}` })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    for (const r of results) expect(r.json.receipt).toBe(receipt);
    expect(results.filter((r) => r.json.status === 'duplicate')).toHaveLength(5);
    expect([await stored(survey), await counted(survey)]).toEqual([1, 1]);
  });

  it('on a credential after the survey closed: refused, the stored set unchanged', async () => {
    const { campaign, survey, codes } = await openSocialSurvey(t.db, 2);
    const a = await responseCredential(t.app, codes[0]!);
    const b = await responseCredential(t.app, codes[1]!);
    const first = await respond(t.app, survey, a.credential, ANSWERS);
    await closeSurvey(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, survey.id));
    expect((await respondSealed(t.app, survey, a.credential, first.sent.ciphertext)).json.error.code).toBe('SURVEY_NOT_OPEN');
    expect((await respond(t.app, survey, b.credential, ANSWERS)).json.error.code).toBe('SURVEY_NOT_OPEN');
    expect(await stored(survey)).toBe(1);
  });
});

describe('what the server could not check is checked at unsealing', () => {
  it('a response sealed correctly around garbage, another survey’s response, answers outside the definition or another key counts as invalid, and the figures come from the valid ones', async () => {
    const { campaign, survey, codes, shares } = await openSocialSurvey(t.db, 7);
    const creds = [];
    for (const code of codes) creds.push((await responseCredential(t.app, code)).credential);
    const random = crypto.getRandomValues(new Uint8Array(RESPONSE_BLOCK));
    const otherKey = (await generateTallyKeyPair()).publicKey;
    const sealed = [
      await sealResponse(survey, socialAnswers([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], { q17: '有效的建议' })),
      await sealResponse(survey, socialAnswers([3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])),
      await sealResponse(survey, null, { bytes: random }), // garbage that decrypts
      await sealResponse(survey, socialAnswers(Array(13).fill(1), { q3: 99 })), // an option the field does not have
      await sealResponse(survey, { q1: 1, q99: 'x' }), // a question the survey does not have, required ones missing
      await sealResponse(survey, ANSWERS, { surveyId: 'another-survey' }), // another survey's response
      await sealResponse(survey, ANSWERS, { sealKey: otherKey }), // sealed to another key: does not decrypt
    ];
    for (const [i, s] of sealed.entries()) expect((await respondSealed(t.app, survey, creds[i]!, s.ciphertext)).status, String(i)).toBe(201);
    await closeSurvey(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, survey.id));
    const closed = await getSurvey(t.db, campaign, survey.id);
    const { tally } = await unsealSurveyAsCustodians(t.db, campaign, closed, shares.slice(0, closed.threshold));
    expect([tally.responses, tally.invalid]).toEqual([2, 5]);
    const q3 = tally.questions.find((q) => q.id === 'q3')!;
    expect([q3.valid, q3.satisfied, q3.satisfactionRate]).toEqual([2, 1, 50]);
    const page = await new Browser(t.app).get(`/c/2018/surveys/${survey.id}/results`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('有效答卷 2 份 · 无效答卷 5 份');
    expect(page.body).toContain('无效答卷是开封时无法解密');
  });
});
