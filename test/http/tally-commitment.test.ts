import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/audit/audit.service';
import { getCampaign, loadAgenda, type Campaign } from '../../src/campaigns/campaigns.service';
import { departments as departmentsTable } from '../../src/db/schema';
import { commitmentRoot, type ShareFile } from '../../src/tally/ceremony.core';
import type { GroupCommitment } from '../../src/tally/commitment.core';
import { rehearsalCeremony, unsealAsCustodians } from '../../src/tally/rehearsal.service';
import { b64url, generateTallyKeyPair } from '../../src/tally/seal.core';
import { tallyGroup } from '../../src/tally/tally.core';
import { publishedResult } from '../../src/tally/tally.service';
import { verifyAgainstCommitment, verifyPublishedResult, type PublishedResult } from '../../src/tally/verify.core';
import { addUser, Browser, testApp } from '../helpers/app';
import { castSealed, closeAllVenues } from '../helpers/tally';

let t: Awaited<ReturnType<typeof testApp>>;
let campaign: Campaign;
let shares: ShareFile[];
let commitmentText = '';
let commitmentPath = '';
let publicEdition: PublishedResult;
let auditEdition: PublishedResult;

const api = (path: string) => t.app.request(`http://localhost${path}`);

beforeAll(async () => {
  t = await testApp();
  campaign = await getCampaign(t.db, '2018');
  await addUser(t.db, 'stats', 'statistician');
  const n = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 1)!.departments.length;
  const ceremony = await rehearsalCeremony(t.db, campaign, 1);
  shares = ceremony.shares;
  // 24 ballots: mostly 满意, every option for every department, some blanks
  const mix = [1, 1, 1, 2, 3, 4, 1, 2];
  await castSealed(t.db, campaign, 1, ceremony.publicKey, Array.from({ length: 24 }, (_, b) => Array.from({ length: n }, (_, d) => ((b * 5 + d) % 6 === 5 ? null : mix[(b + 3 * d) % 8]!))));
  await closeAllVenues(t.db, campaign, 1);
});
afterAll(() => t.close());

/** Exactly what a citizen types: `npm run verify -- …`. */
function verify(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/verify.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function save(name: string, data: unknown): string {
  const path = join(t.dir, name);
  writeFileSync(path, JSON.stringify(data));
  return path;
}

/** What an attacker does after changing the inputs: recompute the tally so the file is consistent again. */
function retallied(r: PublishedResult): PublishedResult {
  return { ...r, tally: tallyGroup({ campaign: r.campaign, group: r.group, departments: r.departments, scale: r.scale, ballots: r.decrypted }) };
}

describe('the commitment file published at closing', () => {
  it('is served from the commit on, before unsealing, linked on the seal page with its digest', async () => {
    expect((await api('/c/2018/results/1/commitment.json')).status).toBe(404);
    const stats = new Browser(t.app);
    await stats.login('stats');
    await stats.get('/staff/c/2018/tally');
    expect((await stats.post('/staff/c/2018/tally/1/commit', {})).status).toBe(303);

    const res = await api('/c/2018/results/1/commitment.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    commitmentText = await res.text();
    const c = JSON.parse(commitmentText) as GroupCommitment;
    const agenda = (await loadAgenda(t.db, campaign.id)).groups.find((g) => g.no === 1)!;
    expect(c).toMatchObject({ kind: 'sanmin-tally-commitment', campaign: '2018', group: 1, ballotCount: 24, shareCount: 5, threshold: 3, publicKey: shares[0]!.publicKey });
    expect(c.departments.map((d) => d.name)).toEqual(agenda.departments.map((d) => d.name));
    expect(c.scale.map((o) => [o.label, o.weight, o.valid, o.satisfied])).toEqual([
      ['满意', 100, true, true],
      ['比较满意', 80, true, true],
      ['不满意', 0, true, false],
      ['不了解', null, false, false],
    ]);
    expect(c.root).toBe(commitmentRoot('2018', 1, c.receipts));
    // the JSON API serves the same bytes
    expect(await (await api('/api/campaigns/2018/groups/1/commitment')).text()).toBe(commitmentText);
    const seal = await (await api('/c/2018/seal/1')).text();
    expect(seal).toContain(c.digest);
    expect(seal).toContain('/c/2018/results/1/commitment.json');
    // still sealed: the commitment says nothing about ballot content
    expect((await api('/api/campaigns/2018/groups/1/result')).status).toBe(404);
    commitmentPath = save('commitment.json', JSON.parse(commitmentText));
  });

  it('is unchanged after unsealing, and the database refuses to rewrite it', async () => {
    auditEdition = (await unsealAsCustodians(t.db, campaign, 1, shares.slice(1, 4))).auditEdition;
    expect(await (await api('/c/2018/results/1/commitment.json')).text()).toBe(commitmentText);
    await expect(t.client.execute("UPDATE tally_commitments SET ballot_count = 23, document = '{}'")).rejects.toThrow(/fixed at commit/);
    expect(await (await api('/c/2018/results/1/commitment.json')).text()).toBe(commitmentText);
    publicEdition = (await (await api('/api/campaigns/2018/groups/1/result')).json()) as PublishedResult;
  });

  it('the commitment file served over HTTP is the one the result verifies against, on the command line too', async () => {
    expect(await verifyAgainstCommitment(auditEdition, JSON.parse(commitmentText))).toMatchObject({ ok: true, ballots: 24, decryptionChecked: true });
    expect(await verifyAgainstCommitment(publicEdition, JSON.parse(commitmentText))).toMatchObject({ ok: true, ballots: 24, decryptionChecked: false });
    const ok = verify(save('audit.json', auditEdition), '--commitment', commitmentPath);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('result verified: campaign 2018 group 1, 24 ballots');
    expect(ok.out).toContain(`against the commitment published at closing (digest ${(JSON.parse(commitmentText) as GroupCommitment).digest})`);
    expect(ok.out).toContain('every ciphertext re-decrypted');
    // the public edition verifies too, and the output says what it could not check
    const pub = verify(save('public.json', publicEdition), '--commitment', commitmentPath);
    expect(pub.code, pub.err).toBe(0);
    expect(pub.out).toMatch(/not checked:[\s\S]*decrypted ballot edited in the file[\s\S]*cannot be caught by anyone without the key/);
  });

  it('a department renamed in the database after the commit changes neither the commitment nor the published result', async () => {
    const [first] = await t.db.select().from(departmentsTable).where(eq(departmentsTable.name, auditEdition.departments[0]!.name));
    await t.db.update(departmentsTable).set({ name: '被改名的部门' }).where(eq(departmentsTable.id, first!.id));
    const again = (await publishedResult(t.db, campaign, 1, { withKey: true }))!;
    expect(again.departments).toEqual(auditEdition.departments);
    expect(await (await api('/c/2018/results/1/commitment.json')).text()).toBe(commitmentText);
    await t.db.update(departmentsTable).set({ name: first!.name }).where(eq(departmentsTable.id, first!.id));
  });
});

describe('npm run verify refuses every tampering the file alone cannot show', () => {
  it('two department names swapped and re-tallied are refused with --commitment, naming the department', async () => {
    const swapped = structuredClone(auditEdition);
    const [a, b] = [swapped.departments[0]!.name, swapped.departments[1]!.name];
    swapped.departments[0]!.name = b;
    swapped.departments[1]!.name = a;
    const forged = retallied(swapped);
    expect(await verifyPublishedResult(forged)).toMatchObject({ ok: true }); // consistent on its own
    const verdict = await verifyAgainstCommitment(forged, JSON.parse(commitmentText));
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining(`departments[0].name (report position 1): the result says "${b}", the commitment "${a}"`) });
    const r = verify(save('swapped-departments.json', forged), '--commitment', commitmentPath);
    expect(r.code).toBe(1);
    expect(r.err).toContain('result MISMATCH: the result does not match the commitment published at closing: departments[0].name');
  });

  it('满意 and 不满意 with their labels and weights swapped and re-tallied are refused with --commitment', async () => {
    const swapped = structuredClone(auditEdition);
    const top = swapped.scale.find((o) => o.label === '满意')!;
    const bottom = swapped.scale.find((o) => o.label === '不满意')!;
    [top.label, bottom.label] = [bottom.label, top.label];
    [top.weight, bottom.weight] = [bottom.weight, top.weight];
    const forged = retallied(swapped);
    expect(await verifyPublishedResult(forged)).toMatchObject({ ok: true });
    expect(forged.tally.departments.some((d, i) => d.score !== auditEdition.tally.departments[i]!.score)).toBe(true); // scores move
    const r = verify(save('swapped-scale.json', forged), '--commitment', commitmentPath);
    expect(r.code).toBe(1);
    expect(r.err).toContain('scale[0].label (option 满意): the result says "不满意", the commitment "满意"');
  });

  it('a new key pair with every ballot marked invalid is refused with --commitment, naming the tally key', async () => {
    const pair = await generateTallyKeyPair();
    const forged = retallied({ ...structuredClone(auditEdition), publicKey: pair.publicKey, privateKey: b64url(pair.privateKey), decrypted: auditEdition.decrypted.map(() => null) });
    expect(forged.tally.ballots.invalid).toBe(24);
    expect(await verifyPublishedResult(forged)).toMatchObject({ ok: true, decryptionChecked: true });
    const r = verify(save('new-key.json', forged), '--commitment', commitmentPath);
    expect(r.code).toBe(1);
    expect(r.err).toContain('publicKey (the tally key the ballots were sealed to)');
  });

  it('a dropped ballot with the root recomputed is refused with --commitment, naming the count', async () => {
    const forged = structuredClone(publicEdition);
    forged.ballots.shift();
    forged.decrypted.pop();
    forged.commitment = { ...forged.commitment, ballotCount: 23, root: commitmentRoot('2018', 1, forged.ballots.map((b) => b.receipt)) };
    const consistent = retallied(forged);
    expect(await verifyPublishedResult(consistent)).toMatchObject({ ok: true, ballots: 23 });
    const r = verify(save('dropped.json', consistent), '--commitment', commitmentPath);
    expect(r.code).toBe(1);
    expect(r.err).toContain('commitment.ballotCount: the result says 23, the commitment 24');
  });

  it('an edited commitment file is refused before anything is compared', async () => {
    const edited = { ...(JSON.parse(commitmentText) as GroupCommitment), threshold: 2 };
    const r = verify(save('public2.json', publicEdition), '--commitment', save('edited-commitment.json', edited));
    expect(r.code).toBe(1);
    expect(r.err).toContain('the commitment file is not valid: its digest does not match its content');
  });

  it('a file verified without a commitment exits non-zero and says only internal consistency was checked', () => {
    const r = verify(save('plain.json', auditEdition));
    expect(r.code).toBe(3);
    expect(r.err).toContain('result NOT VERIFIED against a commitment');
    expect(r.err).toContain('only internal consistency was checked');
    expect(r.err).toContain('/c/2018/results/1/commitment.json');
    // --root alone does not stand in for the commitment
    expect(verify(join(t.dir, 'plain.json'), '--root', auditEdition.commitment.root).code).toBe(3);
  });

  it('--no-commitment exits 0 on an untampered file and prints that only internal consistency was checked', () => {
    const r = verify(join(t.dir, 'plain.json'), '--no-commitment');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('only internal consistency was checked (--no-commitment)');
    expect(r.out).toMatch(/not checked:[\s\S]*departments, scale, tally key, ballot count and root/);
  });
});
