import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const { submit, dispatch } = suggestionFlows(() => t.app, () => organiser);

const preview = async (title: string, body: string) => {
  const res = await t.app.request('http://localhost/api/routing/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title, body }) }, { incoming: { socket: { remoteAddress: '192.0.2.7' } } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { candidates: { department: string; score: number }[] }).candidates;
};

describe('the router learns from the dispatcher, without a deploy', () => {
  it('after the dispatcher reassigned similar items to 市旅游发展委, a new one that was not top-1 there becomes top-1 there', async () => {
    const item = ['海水浴场更衣室收费太贵', '第一海水浴场的更衣室和淋浴收费二十元,太贵了,希望管一管。'] as const;
    const before = await preview(...item);
    expect(before[0]!.department).not.toBe('市旅游发展委');
    const earlier = [
      ['海水浴场淋浴太贵', '石老人海水浴场冲个澡要十五元,价格太高了,游客意见很大。'],
      ['浴场更衣室要钱', '第二海水浴场的更衣室现在也要收钱了,以前都是免费的。'],
      ['海水浴场寄存收费高', '金沙滩海水浴场寄存一个包二十块,比市区贵很多。'],
      ['浴场冲凉收费不合理', '第六海水浴场冲凉收费不合理,建议改成免费或者降价。'],
      ['海水浴场收费乱', '夏天去海水浴场,更衣、淋浴、寄存样样收钱,能不能统一管起来。'],
    ];
    for (const [title, body] of earlier) {
      const { code } = await submit({ title: title!, body: body! });
      // first dispatched where the router pointed, then reassigned by the dispatcher
      await dispatch(code, [before[0]!.department]);
      await dispatch(code, ['市旅游发展委']);
    }
    const after = await preview(...item);
    expect(after[0]!.department).toBe('市旅游发展委');
    // the shape of the preview is unchanged
    expect(Object.keys(after[0]!).sort()).toEqual(['department', 'score']);
  });

  it('the dispatch screen shows why each department is proposed: the residents’ words it matched', async () => {
    const { code } = await submit({ title: '楼上邻居半夜吵', body: '楼上邻居天天半夜跺脚、拖椅子,吵得老人睡不着,找物业也没用。' });
    const page = await organiser.get(`/staff/c/2018/suggestions/${code}`);
    expect(page.status).toBe(200);
    const line = page.body.split('\n').join('').match(/value="市公安局"[^]*?routing-why">([^<]*)</)?.[1] ?? '';
    expect(line).toContain('邻居');
    expect(line).toContain('规则:邻居生活噪声');
  });
});
