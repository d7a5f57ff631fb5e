import { existsSync, readFileSync } from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rateLimits, suggestions, suggestionSupporters } from '../../src/db/schema';
import { MOBILE_KEY_PREFIX, openContact, sealAuthorContacts } from '../../src/suggestions/author-contact.service';
import { addUser, Browser, testApp } from '../helpers/app';
import { suggestionFlows } from '../helpers/suggestions';

let t: Awaited<ReturnType<typeof testApp>>;
let organiser: Browser;
beforeAll(async () => {
  t = await testApp();
  await addUser(t.db, 'org', 'organiser');
  organiser = new Browser(t.app);
  await organiser.login('org');
});
afterAll(() => t.close());

const { submit } = suggestionFlows(() => t.app, () => organiser);
const onDisk = () => {
  const path = t.url.slice('file:'.length);
  return Buffer.concat([path, `${path}-wal`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
};

describe('citizens’ mobile numbers and e-mail addresses at rest', () => {
  it('a copy of the database files holds neither the mobile nor the e-mail of an author or a supporter; organisers still read them', async () => {
    const author = await submit({ mobile: '13655554444', email: 'zhao.author@example.com', notify: 'email', title: '菜市场增设遮阳棚', body: '夏天菜市场门口的摊位没有遮阳的地方,老人买菜很辛苦,建议增设遮阳棚。' });
    // a near-identical copy from another citizen: a supporter
    await submit({ mobile: '13666667777', title: '菜市场增设遮阳棚', body: '夏天菜市场门口的摊位没有遮阳的地方,老人买菜很辛苦,建议增设遮阳棚。' });
    const disk = onDisk();
    for (const secret of ['13655554444', '13666667777', 'zhao.author@example.com']) expect(disk.includes(Buffer.from(secret)), secret).toBe(false);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, author.code));
    expect(row!.mobileKey.startsWith(MOBILE_KEY_PREFIX)).toBe(true);
    expect(row!.legacyEmail).toBeNull();
    const keys = (await t.db.select().from(rateLimits)).map((r) => r.key).join(' ');
    expect(keys).not.toContain('13655554444');
    const page = await organiser.get(`/staff/c/2018/suggestions/${author.code}`);
    expect(page.body).toContain('13655554444');
    expect(page.body).toContain('zhao.author@example.com');
  });

  it('the same author is still recognised, by the keyed hash', async () => {
    const first = await submit({ mobile: '13688889999', title: '社区增设充电桩', body: '小区电动车越来越多,充电很不方便,建议在社区增设电动自行车充电桩。' });
    const again = await submit({ mobile: '13688889999', title: '社区增设充电桩', body: '小区电动车越来越多,充电很不方便,建议在社区增设电动自行车充电桩!谢谢' });
    expect(again.code).toBe(first.code);
    expect(again.body).toContain('跟踪码与上次相同');
  });

  it('rows an older version stored in the clear are sealed at start, and the clear per-mobile counters dropped', async () => {
    const legacy = await submit({ mobile: '13611110000', title: '增加图书馆开放时间', body: '图书馆晚上六点就关门,上班族没有时间去,建议延长公共图书馆的开放时间。' });
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.code, legacy.code));
    // as the previous version left it: the number and e-mail in the clear, nothing sealed
    await t.db.update(suggestions).set({ mobileKey: '13611110000', legacyEmail: 'old@example.com', contactSealed: null }).where(eq(suggestions.seq, row!.seq));
    await t.db.insert(suggestionSupporters).values({ id: 'legacy-supporter', suggestionSeq: row!.seq, authorName: '钱八', mobileKey: '13622220000', similarity: 0.9, createdAt: Date.now() });
    await t.db.insert(rateLimits).values({ key: 'suggest:mobile:13611110000', windowStart: 0, count: 1 });
    expect(await sealAuthorContacts(t.db, t.atRest)).toBe(2);
    const [after] = await t.db.select().from(suggestions).where(eq(suggestions.seq, row!.seq));
    expect(after!.mobileKey.startsWith(MOBILE_KEY_PREFIX)).toBe(true);
    expect(after!.legacyEmail).toBeNull();
    expect(await openContact(t.atRest, after!.code, after!.contactSealed)).toEqual({ mobile: '13611110000', email: 'old@example.com' });
    const [supporter] = await t.db.select().from(suggestionSupporters).where(eq(suggestionSupporters.id, 'legacy-supporter'));
    expect(supporter!.mobileKey.startsWith(MOBILE_KEY_PREFIX)).toBe(true);
    expect((await t.db.select().from(rateLimits).where(eq(rateLimits.key, 'suggest:mobile:13611110000'))).length).toBe(0);
    // idempotent
    expect(await sealAuthorContacts(t.db, t.atRest)).toBe(0);
  });

  it('without the data-encryption key intake refuses (503) rather than store a number in the clear', async () => {
    const { nodeApp } = await import('../../src/node/boot');
    const { openLibsql } = await import('../../src/db/libsql');
    const handle = await openLibsql(t.url);
    // an empty key is no key (a default parameter would load the key file)
    const keyless = nodeApp(handle, undefined, undefined, undefined, '');
    const res = await keyless.request('http://localhost/api/suggestions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authorName: '孙九', mobile: '13633330000', theme: '共享', area: '民生保障', title: '增加公交候车亭', body: '很多公交站没有候车亭,下雨天等车很不方便,建议增设公交候车亭。' }),
    });
    handle.client.close();
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SECRET_KEY_MISSING');
  });
});
