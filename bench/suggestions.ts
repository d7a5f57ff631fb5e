// Scenario 3 of bench/run.ts: 20,000 suggestions through the JSON intake, then keyword searches.
// The suggestions feature is built on branch `suggestions`; until it is merged the intake route
// answers 404 here and the scenario is skipped with a note on stderr.
//
// Routes (override with BENCH_SUGGEST_POST / BENCH_SUGGEST_SEARCH when the merged API differs):
//   intake: POST /api/campaigns/2018/suggestions  {authorName, mobile, theme, area, title, body}
//           (then POST /api/suggestions with `campaign` in the body), 201 or 200 = accepted
//   search: GET  /api/campaigns/2018/suggestions/search?q=…, then /api/suggestions?q=…&campaign=2018
// Every submission has its own author, mobile and text, so none is a near-duplicate of another.
// Intake is per-IP rate limited by design (issue 6); all load comes from 127.0.0.1, so a limit
// below 20,000 per window shows up here as errors (429) and must be lifted for the bench.
import type { Load, LoadOptions } from './run';

type LoadFn = (opts: LoadOptions) => Promise<Load>;

export const SUGGESTIONS = 20_000;

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅鹏飞海燕波宁';
const PLACES = ['香港中路', '辽阳西路', '崂山路', '山东路', '宁夏路', '黑龙江路', '青银高速', '胶州湾隧道', '五四广场', '台东步行街', '李村河', '浮山', '小港湾', '栈桥', '汇泉湾', '金家岭', '城阳火车站', '西海岸新区'];
const TOPICS: [string, string[]][] = [
  ['交通拥堵', ['早晚高峰车辆排队过长', '信号灯配时不合理', '公交专用道被占用', '路口缺少左转待行区']],
  ['停车难', ['小区周边停车位不足', '夜间违停堵塞消防通道', '共享单车乱停放', '收费标准不透明']],
  ['公交服务', ['末班车时间太早', '线路绕行时间过长', '站台缺少遮阳棚', '实时到站信息不准']],
  ['垃圾分类', ['分类投放点太少', '清运时间与居民作息冲突', '厨余垃圾桶异味明显', '宣传指导不到位']],
  ['学校周边安全', ['上下学时段车辆拥堵', '缺少交通协管员', '校门口摊贩占道', '人行横道标线模糊']],
  ['老旧小区改造', ['楼道照明损坏', '外墙保温脱落', '缺少电梯加装指导', '雨污管网老化']],
  ['养老服务', ['社区食堂价格偏高', '日间照料中心床位不足', '上门护理预约困难', '适老化改造补贴申请繁琐']],
  ['医疗就诊', ['挂号排队时间长', '社区医院药品不全', '检查结果互认不畅', '夜间急诊人手不足']],
  ['空气质量', ['工地扬尘严重', '餐饮油烟直排', '露天烧烤污染', '道路洒水不及时']],
  ['政务服务', ['办事需要重复提交材料', '网上办理入口难找', '窗口午休不办理', '电话咨询无人接听']],
];
const ASKS = ['建议相关部门尽快调研解决', '希望能够增加投入并公开进展', '请求明确责任单位和完成时限', '建议听取周边居民意见后优化方案', '希望建立长效管理机制'];

/** Deterministic, pairwise-different suggestions spread over themes, areas, places and topics. */
export function makeSuggestions(n: number, themes: string[], areas: string[]) {
  let seed = 7;
  const r = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((seed / 2 ** 31) * k);
  };
  const out: Record<string, string>[] = [];
  for (let i = 0; i < n; i++) {
    const [topic, problems] = TOPICS[r(TOPICS.length)]!;
    const place = PLACES[r(PLACES.length)]!;
    const p1 = problems[r(problems.length)]!;
    const p2 = problems[r(problems.length)]!;
    const ask = ASKS[r(ASKS.length)]!;
    out.push({
      authorName: SURNAMES[r(SURNAMES.length)]! + GIVEN[r(GIVEN.length)]! + GIVEN[r(GIVEN.length)]!,
      mobile: `13${String(100000000 + i * 37 + r(30)).slice(-9)}`,
      theme: themes[r(themes.length)]!,
      area: areas[r(areas.length)]!,
      title: `关于${place}${topic}问题的建议(第${i + 1}号)`,
      body: `我是附近居民,第${i + 1}次反映:${place}一带${p1},而且${p2}。每天经过这里都深有体会,已经影响到周边${100 + r(900)}多户居民的日常生活。${ask},并在${1 + r(11)}个月内给出答复。编号${(i * 7919).toString(36)}。`,
    });
  }
  return out;
}

export async function suggestionScenario(ctx: { base: string; token: string; load: LoadFn; campaign: { suggestionThemes: string[]; suggestionAreas: string[] } }) {
  const themes = ctx.campaign.suggestionThemes;
  const areas = ctx.campaign.suggestionAreas;
  const all = makeSuggestions(SUGGESTIONS + 1, themes, areas);
  const posts = process.env['BENCH_SUGGEST_POST'] ? [process.env['BENCH_SUGGEST_POST']] : ['/api/campaigns/2018/suggestions', '/api/suggestions'];
  // probe with one real submission
  let intakePath: string | undefined;
  for (const path of posts) {
    const res = await fetch(`${ctx.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ campaign: '2018', ...all[SUGGESTIONS]! }) });
    await res.text();
    if (res.status === 404 || res.status === 405) continue;
    if (res.status !== 201 && res.status !== 200) {
      console.error(`suggestion intake: ${path} answered ${res.status} to a valid submission; skipping the scenario`);
      return undefined;
    }
    intakePath = path;
    break;
  }
  if (!intakePath) {
    console.error(`suggestionIntake, search: omitted: no suggestion intake on this server (${posts.join(', ')} answer 404); the API comes with branch \`suggestions\``);
    return undefined;
  }
  const bodies = all.slice(0, SUGGESTIONS).map((s) => JSON.stringify({ campaign: '2018', ...s }));
  // 201 stored; 200 a near-identical text linked to an earlier one (recorded, not stored twice)
  const intake = await ctx.load({ path: intakePath, bodies, connections: 50, okStatus: [201, 200], capSeconds: 80 });
  console.error('suggestion intake statuses', intake.statuses);

  // keyword searches: 2-character (LIKE), 3+ character (FTS5 trigram) and two-term queries
  const searches = process.env['BENCH_SUGGEST_SEARCH'] ? [process.env['BENCH_SUGGEST_SEARCH']] : ['/api/campaigns/2018/suggestions/search', '/api/suggestions'];
  const queries = ['交通', '停车难', '公交服务', '垃圾分类', '香港中路 拥堵', '老旧小区改造', '养老', '政务服务 材料', '学校周边', '空气质量'];
  for (const path of searches) {
    const probe = await fetch(`${ctx.base}${path}?campaign=2018&status=all&q=${encodeURIComponent(queries[0]!)}`);
    await probe.text();
    if (probe.status !== 200) continue;
    const urls = Array.from({ length: 2_000 }, (_, i) => `${path}?campaign=2018&status=all&q=${encodeURIComponent(queries[i % queries.length]!)}`);
    const search = await searchLoad(ctx.base, urls, 20);
    return { intake, search };
  }
  console.error(`search: omitted: no search route answered 200 (${searches.join(', ')})`);
  return { intake, search: { opsPerSec: NaN, p50Ms: NaN, p99Ms: NaN, errors: 0 } };
}

/** GETs over a list of URLs with `concurrency` loops; latency per request. */
async function searchLoad(base: string, urls: string[], concurrency: number) {
  const lat: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < urls.length) {
        const url = urls[next++]!;
        const t = performance.now();
        const res = await fetch(`${base}${url}`);
        await res.text();
        lat.push(performance.now() - t);
        if (res.status !== 200) errors++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.ceil((p / 100) * lat.length) - 1)] ?? NaN;
  return { opsPerSec: lat.length / seconds, p50Ms: pct(50), p99Ms: pct(99), errors };
}
