import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign, type Campaign } from '../../src/campaigns/campaigns.service';
import { createSocialSurvey, getSurvey, issueCitizenCodes, openSurvey } from '../../src/survey/survey.service';
import { setSurveyParams } from '../../src/survey/survey-seal.service';
import { addUser, atRestOf, Browser, PASSWORD, testApp } from '../helpers/app';
import { api } from '../helpers/hearing';
import { respond, responseCredential, socialAnswers } from '../helpers/survey';

/**
 * A survey from the custodians' commands to the results page: seat keys (`npm run seat-key --
 * --survey`), the ceremony on the offline machine (`npm run ceremony -- --survey`), responses,
 * closing, unsealing on the custodians' side (`npm run unseal -- --responses`), the result
 * posted and approved by k custodians, the figures on the public page.
 */
let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  await addUser(t.db, 'org', 'organiser');
  await addUser(t.db, 'stat', 'statistician');
  for (const n of [1, 2, 3]) await addUser(t.db, `cli-c${n}`, 'custodian');
});
afterAll(() => t.close());

const path = (name: string) => join(t.dir, name);
const write = (name: string, data: unknown) => (writeFileSync(path(name), typeof data === 'string' ? data : JSON.stringify(data)), path(name));
function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `src/cli/${script}.ts`, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const login = async (username: string) => (await api(t.app, '/api/login', { username, password: PASSWORD })).json.token as string;

describe('a survey’s ceremony and unsealing with the custodians’ commands', () => {
  it('seat keys, ceremony, responses, close, unseal 2 of 3, post, approve: the results page shows the figures', async () => {
    const id = await createSocialSurvey(t.db, SYSTEM_ACTOR, campaign);
    await setSurveyParams(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, id), 3, 2);
    const api_ = `/api/campaigns/2018/surveys/${id}/tally`;
    // each custodian derives a seat key on their side: seat 1 from a passphrase, 2 and 3 from key files
    const p1 = write('p1.txt', '春江潮水连海平海上明月共潮生\n');
    const keys = [
      run('seat-key', '--campaign', '2018', '--survey', id, '--seat', '1', '--passphrase-file', p1),
      run('seat-key', '--campaign', '2018', '--survey', id, '--seat', '2', '--new-key-file', path('k2.json')),
      run('seat-key', '--campaign', '2018', '--survey', id, '--seat', '3', '--new-key-file', path('k3.json')),
    ];
    for (const k of keys) expect(k.code, k.err).toBe(0);
    expect(run('seat-key', '--campaign', '2018', '--survey', id, '--group', '1', '--seat', '1', '--passphrase-file', p1).code).toBe(2);
    const tokens = [await login('cli-c1'), await login('cli-c2'), await login('cli-c3')];
    for (const [i, k] of keys.entries()) expect((await api(t.app, `${api_}/join`, JSON.parse(k.out), tokens[i])).status).toBe(200);

    const stat = await login('stat');
    const seats = write('seats.json', (await api(t.app, `${api_}/seats`, undefined, stat)).json);
    // the group mode refuses a survey's seats file, and the survey mode another survey's
    expect(run('ceremony', '--campaign', '2018', '--group', '1', '--seats', seats, '--out', path('x.json')).err).toContain('SEATS_OTHER_GROUP');
    expect(run('ceremony', '--campaign', '2018', '--survey', 'another', '--seats', seats, '--out', path('x.json')).err).toContain('SEATS_OTHER_GROUP');
    const made = run('ceremony', '--campaign', '2018', '--survey', id, '--seats', seats, '--out', path('ceremony.json'));
    expect(made.code, made.err).toBe(0);
    expect(readFileSync(path('ceremony.record.txt'), 'utf8')).toContain(`问卷:sanmin-survey:2018:${id}`);
    const uploaded = await api(t.app, `${api_}/ceremony`, JSON.parse(readFileSync(path('ceremony.json'), 'utf8')), stat);
    expect(uploaded.status, uploaded.text).toBe(200);
    const sealed = [];
    for (const [i, tok] of tokens.entries()) sealed.push(write(`sealed${i + 1}.json`, (await api(t.app, `${api_}/share`, undefined, tok)).json));

    // responses: ratings 1 (满意) ×2 and 3 (不满意) ×1 on every field, one free-text answer
    await openSurvey(t.db, SYSTEM_ACTOR, campaign, await getSurvey(t.db, campaign, id), atRestOf(t.db));
    const survey = await getSurvey(t.db, campaign, id);
    const { codes } = await issueCitizenCodes(t.db, SYSTEM_ACTOR, campaign, survey, 3);
    for (const [i, code] of codes.entries()) {
      const { credential } = await responseCredential(t.app, code);
      const sheet = socialAnswers(Array(13).fill(i === 2 ? 3 : 1), i === 0 ? { q17: '希望多建口袋公园。' } : {});
      expect((await respond(t.app, survey, credential, sheet)).status).toBe(201);
    }
    const org = new Browser(t.app);
    await org.login('org');
    await org.get(`/staff/c/2018/surveys/${id}`);
    expect((await org.post(`/staff/c/2018/surveys/${id}/close`, {})).status).toBe(303);

    const commitment = write('commitment.json', (await api(t.app, `${api_}/commitment`)).json);
    const responses = write('responses.json', (await api(t.app, `${api_}/responses`, undefined, stat)).json);
    // one share is not enough; a group's --ballots mode refuses a survey commitment
    expect(run('unseal', '--commitment', commitment, '--responses', responses, '--share', sealed[1]!, '--key-file', path('k2.json'), '--out', path('r0.json')).err).toContain('NOT_ENOUGH_SHARES');
    expect(run('unseal', '--commitment', commitment, '--ballots', responses, '--share', sealed[1]!, '--key-file', path('k2.json'), '--out', path('r0.json')).code).toBe(1);
    const done = run(
      'unseal', '--commitment', commitment, '--responses', responses,
      '--share', sealed[0]!, '--passphrase-file', p1,
      '--share', sealed[2]!, '--key-file', path('k3.json'),
      '--out', path('result.json'), '--audit-out', path('audit.json'),
    );
    expect(done.code, done.err).toBe(0);
    expect(JSON.parse(done.out)).toMatchObject({ survey: id, responses: 3, invalid: 0, seats: [1, 3] });
    const result = JSON.parse(readFileSync(path('result.json'), 'utf8'));
    expect(result.privateKey).toBeUndefined();
    expect(typeof JSON.parse(readFileSync(path('audit.json'), 'utf8')).privateKey).toBe('string');

    const posted = await api(t.app, `${api_}/result`, result, tokens[0]);
    expect(posted.status, posted.text).toBe(200);
    expect((await api(t.app, `${api_}/draft`, undefined, tokens[1])).json.tally.responses).toBe(3);
    const first = await api(t.app, `${api_}/approve`, { digest: posted.json.digest }, tokens[0]);
    expect(first.json).toMatchObject({ approvals: 1, threshold: 2, published: false });
    expect((await t.app.request(`http://localhost/c/2018/surveys/${id}/results`)).status).toBe(404);
    const second = await api(t.app, `${api_}/approve`, { digest: posted.json.digest }, tokens[2]);
    expect(second.json).toMatchObject({ approvals: 2, published: true, result: `/c/2018/surveys/${id}/results` });

    const page = await new Browser(t.app).get(`/c/2018/surveys/${id}/results`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('有效答卷 3 份');
    // 经济发展: 2 of 3 satisfied
    expect(page.body).toMatch(/经济发展<\/td><td>3<\/td><td>2<\/td><td>66.67%/);
    // free text still waits for the reviewer, as before
    expect(page.body).not.toContain('口袋公园');
    expect((await api(t.app, `${api_}/result`, result, stat)).json.error.code).toBe('ALREADY_UNSEALED');
  }, 60_000);
});
