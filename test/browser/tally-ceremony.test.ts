import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/node/boot';
import { getCampaign } from '../../src/campaigns/campaigns.service';
import { ceremonyProblem, openSealedShare, type CeremonyFile, type SeatsDocument } from '../../src/tally/ceremony.core';
import { newSeatKeyFile, seatKeyFromFile } from '../../src/tally/seat-key.core';
import { joinCeremony, seatsDocument, setTallyParams } from '../../src/tally/tally.service';
import { ARTIFACTS, launchBrowser } from '../helpers/browser';
import { addUser, PASSWORD } from '../helpers/app';
import { prepareHearing } from '../helpers/hearing';
import { fingerprint } from '../../src/hearing/keys.core';

let server: RunningServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let dir: string;
const GROUP = 2;
const keyFiles: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sanmin-ceremony-browser-'));
  server = await startServer({ PORT: 0, HOST: '127.0.0.1', DATABASE_URL: `file:${join(dir, 'b.db')}` });
  const db = server.handle.db;
  await prepareHearing(db, [1]);
  const campaign = await getCampaign(db, '2018');
  const org = await addUser(db, 'org', 'organiser');
  await addUser(db, 'stats', 'statistician');
  await setTallyParams(db, { id: org, name: 'org' }, campaign, 3, 2);
  for (const seat of [1, 2, 3]) {
    const id = await addUser(db, `k${seat}`, 'custodian');
    const file = await newSeatKeyFile('2018', GROUP, seat);
    keyFiles.push(JSON.stringify(file));
    await joinCeremony(db, { id, name: `k${seat}` }, campaign, GROUP, seat, file.publicKey, `保管人${seat}`);
  }
  browser = await launchBrowser({ width: 1024, height: 1366 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the key ceremony page (/ceremony), offline', () => {
  it('seats file → ceremony in the page with the network blocked → saved file → upload accepted → the public key on /c/2018/keys is the file’s', async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) problems.push(m.text());
    });
    // the statistician downloads the seats file from the staff page
    await page.goto(`${server.url}/login`);
    await page.getByLabel('用户名').fill('stats');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/staff$/);
    await page.goto(`${server.url}/staff/c/2018/tally`);
    const seatsDl = page.waitForEvent('download');
    await page.locator(`a[download="seats-2018-group${GROUP}.json"]`).click();
    const seatsPath = join(dir, 'seats.json');
    await (await seatsDl).saveAs(seatsPath);
    const seats = JSON.parse(readFileSync(seatsPath, 'utf8')) as SeatsDocument;
    expect(seats.seats.map((s) => s.custodian)).toEqual(['保管人1', '保管人2', '保管人3']);

    // the ceremony page: loaded, then the network cut; every request after that is recorded
    const ceremonyPage = await browser.context.newPage();
    ceremonyPage.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
    const response = await ceremonyPage.goto(`${server.url}/ceremony`);
    expect(response!.headers()['content-security-policy']).toMatch(/connect-src 'none'/);
    await ceremonyPage.getByLabel('打开席位文件').waitFor();
    const afterLoad: string[] = [];
    ceremonyPage.on('request', (r) => afterLoad.push(r.url()));
    await ceremonyPage.route('**', (route) => route.abort());
    await ceremonyPage.getByLabel('打开席位文件').setInputFiles(seatsPath);
    await ceremonyPage.locator('#seats-body tr').nth(2).waitFor();
    expect(await ceremonyPage.getByRole('button', { name: '举行密钥仪式' }).isDisabled()).toBe(true); // until presence is confirmed
    await ceremonyPage.getByLabel(/以上保管人均已到场/).check();
    // each custodian is ticked present in person; until the last one is, the ceremony cannot run
    const ticks = await ceremonyPage.locator('input.seat-present').all();
    expect(ticks).toHaveLength(3);
    for (const tick of ticks.slice(0, -1)) await tick.check();
    expect(await ceremonyPage.getByRole('button', { name: '举行密钥仪式' }).isDisabled()).toBe(true);
    await ticks.at(-1)!.check();
    await ceremonyPage.getByRole('button', { name: '举行密钥仪式' }).click();
    await expect.poll(() => ceremonyPage.locator('#status').textContent(), { timeout: 15_000 }).toMatch(/仪式完成/);
    const saved = ceremonyPage.waitForEvent('download');
    await ceremonyPage.getByRole('button', { name: '保存仪式文件' }).click();
    const ceremonyPath = join(dir, 'ceremony.json');
    await (await saved).saveAs(ceremonyPath);
    const file = JSON.parse(readFileSync(ceremonyPath, 'utf8')) as CeremonyFile;
    expect(ceremonyProblem(file, await seatsDocument(server.handle.db, await getCampaign(server.handle.db, '2018'), GROUP))).toBeNull();
    // the printable record names every custodian with the share fingerprint, and the file's key
    expect(await ceremonyPage.locator('#record-key').textContent()).toBe(file.publicKey);
    const record = (await ceremonyPage.locator('#record').textContent())!;
    expect(await ceremonyPage.locator('#record-body tr td:nth-child(3)').allTextContents()).toEqual(['到场', '到场', '到场']);
    for (const s of file.seats) expect(record).toContain(s.custodian), expect(record).toContain(s.fingerprint.slice(0, 8));
    await ceremonyPage.emulateMedia({ media: 'print' });
    expect(await ceremonyPage.locator('#seats-file').isVisible()).toBe(false);
    expect(await ceremonyPage.locator('#record').isVisible()).toBe(true);
    await ceremonyPage.screenshot({ path: join(ARTIFACTS, 'ceremony-record-print.png'), fullPage: true });
    await ceremonyPage.emulateMedia({ media: 'screen' });
    expect(afterLoad.filter((u) => !u.startsWith('blob:'))).toEqual([]);
    expect(await ceremonyPage.evaluate(async () => localStorage.length + sessionStorage.length + (await indexedDB.databases()).length)).toBe(0);
    // each seat's share opens with that custodian's key file, on their side
    const sealed = { v: 1 as const, kind: 'sanmin-tally-sealed-share' as const, campaign: '2018', group: GROUP, seat: 2, shareCount: 3, threshold: 2, publicKey: file.publicKey, sealedShare: file.seats[1]!.sealedShare, fingerprint: file.seats[1]!.fingerprint };
    const k2 = await seatKeyFromFile(keyFiles[1]!, '2018', GROUP, 2);
    expect((await openSealedShare(sealed, k2.privateKey)).fingerprint).toBe(file.seats[1]!.fingerprint);
    await ceremonyPage.close();

    // the statistician uploads it on the staff page (the existing form)
    await page.getByLabel(/上传离线密钥仪式生成的仪式文件/).setInputFiles(ceremonyPath);
    await page.getByRole('button', { name: '上传仪式文件' }).click();
    await page.getByText('仪式文件已核对并保存').waitFor();
    const listed = (await (await fetch(`${server.url}/c/2018/keys.json`)).json()) as { tally: { group: number; publicKey: string; fingerprint: string }[] };
    const entry = listed.tally.find((t) => t.group === GROUP)!;
    expect(entry.publicKey).toBe(file.publicKey);
    expect(entry.fingerprint).toBe(fingerprint(file.publicKey, 'tally'));
    // the page shows the key's fingerprint, grouped as a person reads it
    await page.goto(`${server.url}/c/2018/keys`);
    expect((await page.locator('main').textContent())!.replace(/\s/g, '')).toContain(`第二组${entry.fingerprint.replace(/\s/g, '')}`);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
