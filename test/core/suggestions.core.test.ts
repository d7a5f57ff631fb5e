import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeCsvBytes } from '../../src/delegates/csv.core';
import { parseBatch } from '../../src/suggestions/import.core';
import {
  ANSWER_DAYS,
  assertAssignmentAction,
  assertSuggestionAction,
  barChart,
  bigramTokens,
  deriveStatus,
  suggestionAfterStep,
  dispatchDeadline,
  findDuplicate,
  fingerprint,
  isAnswerOverdue,
  isDispatchOverdue,
  maskName,
  median,
  minhashBands,
  overallAdoption,
  rankByScores,
  maskForOthers,
  publicView,
  similarity,
  validateSuggestion,
  WorkflowError,
} from '../../src/suggestions/suggestions.core';

const ctx = {
  themes: ['创新', '协调', '绿色', '开放', '共享'],
  areas: ['创新引领', '动能转换', '城市治理', '文化创新', '生态文明', '民生保障', '政府建设'],
  departments: ['市教育局', '市交通运输委'],
};

const good = {
  authorName: '张三',
  mobile: '138 1234 5678',
  email: '',
  theme: '共享',
  area: '民生保障',
  title: '增加社区公交线路',
  body: '我们社区附近没有公交站,到地铁站要走二十分钟,建议增开社区公交接驳线路。',
};

describe('intake validation', () => {
  it('accepts a complete suggestion and normalises the mobile number', () => {
    const r = validateSuggestion(good, ctx);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value).toMatchObject({ authorName: '张三', mobile: '13812345678', email: null, targetDepartment: null });
  });

  it.each([
    [{ authorName: '' }, 'authorName', '请填写真实姓名'],
    [{ authorName: '张' }, 'authorName', '姓名应为 2–20 个字'],
    [{ mobile: '12345' }, 'mobile', '手机号码应为 11 位'],
    [{ mobile: '' }, 'mobile', '请填写手机号码'],
    [{ email: 'not-an-email' }, 'email', '电子邮箱格式不正确'],
    [{ theme: '和谐' }, 'theme', '请选择建议主题'],
    [{ area: '' }, 'area', '请选择建议所属领域'],
    [{ title: '公交' }, 'title', '标题太短,至少 4 个字'],
    [{ title: '长'.repeat(41) }, 'title', '标题不能超过 40 个字(现在 41 个字)'],
    [{ body: '太短了' }, 'body', '建议内容太短,至少 10 个字'],
    [{ body: '多'.repeat(2001) }, 'body', '建议内容不能超过 2000 个字(现在 2001 个字)'],
    [{ targetDepartment: '市不存在局' }, 'targetDepartment', '没有名为“市不存在局”的部门'],
  ])('when %o, the %s field says “%s”', (over, field, message) => {
    const r = validateSuggestion({ ...good, ...over }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[field]).toContain(message);
  });

  it('counts characters, not UTF-16 units, against the length limits', () => {
    expect(validateSuggestion({ ...good, title: '𠀀𠀀𠀀𠀀' }, ctx).ok).toBe(true);
  });
});

describe('duplicates', () => {
  const original = { seq: 1, code: 'JYAAAA-AAAA', mobileKey: '13812345678', title: good.title, body: good.body };

  it('gives identical copies (punctuation, spaces and width aside) the same fingerprint', () => {
    expect(fingerprint('增加社区公交线路', '建议增开社区公交。')).toBe(fingerprint('增加社区公交线路 ', '建议增开社区公交!'));
  });

  it('links the same author sending a near-same text again', () => {
    const v = findDuplicate({ mobileKey: '13812345678', title: good.title, body: `${good.body}谢谢!` }, [original]);
    expect(v?.kind).toBe('same_author');
    expect(v?.of.code).toBe('JYAAAA-AAAA');
  });

  it('links another citizen’s near-identical text as a supporter', () => {
    const v = findDuplicate({ mobileKey: '13900000000', title: good.title, body: good.body.replace('二十分钟', '二十多分钟') }, [original]);
    expect(v?.kind).toBe('near_identical');
    expect(v!.similarity).toBeGreaterThan(0.8);
  });

  it('keeps a different suggestion of the same author, and a different text on the same topic', () => {
    expect(findDuplicate({ mobileKey: '13812345678', title: '延长图书馆开放时间', body: '图书馆晚上和节假日开放时间太短,建议延长公共图书馆开放时间。' }, [original])).toBeNull();
    expect(findDuplicate({ mobileKey: '13900000000', title: '公交车辆更新', body: '部分公交车老旧,夏天没有空调,建议更新公交车辆,推广新能源公交车。' }, [original])).toBeNull();
  });

  it('gives near-identical texts a shared MinHash band, unrelated ones none', () => {
    const a = minhashBands(`${good.title}\n${good.body}`);
    const b = minhashBands(`${good.title}\n${good.body.replace('二十分钟', '二十多分钟')}`);
    const c = minhashBands('延长图书馆开放时间\n图书馆晚上和节假日开放时间太短,建议延长公共图书馆开放时间。');
    expect(a).toHaveLength(8);
    expect(a.some((x) => b.includes(x))).toBe(true);
    expect(a.some((x) => c.includes(x))).toBe(false);
    expect(similarity('abc', 'abc')).toBe(1);
  });
});

describe('workflow', () => {
  it('follows its departments: all answered → answered, one started → in progress, all sent back → received', () => {
    expect(deriveStatus([{ status: 'dispatched' }, { status: 'dispatched' }])).toBe('dispatched');
    expect(deriveStatus([{ status: 'in_progress' }, { status: 'dispatched' }])).toBe('in_progress');
    expect(deriveStatus([{ status: 'answered' }, { status: 'dispatched' }])).toBe('in_progress');
    expect(deriveStatus([{ status: 'answered' }, { status: 'returned' }])).toBe('answered');
    expect(deriveStatus([{ status: 'returned' }])).toBe('received');
  });

  it('refuses actions out of order with a Chinese reason', () => {
    expect(() => assertSuggestionAction('received', 'publish')).toThrow(WorkflowError);
    expect(() => assertSuggestionAction('published', 'dispatch')).toThrow('不能分派');
    expect(() => assertSuggestionAction('answered', 'publish')).not.toThrow();
    expect(() => assertAssignmentAction('answered', 'return')).toThrow('不能退回');
    expect(() => assertAssignmentAction('dispatched', 'answer')).not.toThrow();
  });

  it('flags an unrouted item after its dispatch deadline and an unanswered share after 15 days', () => {
    const now = Date.UTC(2018, 11, 20);
    expect(isDispatchOverdue({ status: 'received', dispatchBy: now - 1 }, now)).toBe(true);
    expect(isDispatchOverdue({ status: 'dispatched', dispatchBy: now - 1 }, now)).toBe(false);
    const assigned = now - (ANSWER_DAYS + 1) * 86_400_000;
    expect(isAnswerOverdue({ status: 'in_progress', deadlineAt: assigned + ANSWER_DAYS * 86_400_000 }, now)).toBe(true);
    expect(isAnswerOverdue({ status: 'answered', deadlineAt: 0 }, now)).toBe(false);
  });

  it('takes the strongest adoption of the answers', () => {
    expect(overallAdoption(['none', 'next_year_plan'])).toBe('next_year_plan');
    expect(overallAdoption(['next_year_plan', 'work_report'])).toBe('work_report');
    expect(overallAdoption([])).toBe('none');
  });
});

describe('privacy', () => {
  it('masks names as 张* and blanks the author’s name and numbers typed into the text', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳修')).toBe('欧**');
    const text = maskForOthers('我是张三,电话 138-1234-5678,家里 0532-88886666,请联系。', { authorName: '张三', mobile: '13812345678' });
    expect(text).not.toContain('张三');
    expect(text).not.toMatch(/1381234|5678|88886666/);
  });

  it('shows the public a suggestion with its title and body masked and no mobile or e-mail', () => {
    const v = publicView({
      code: 'JYAAAA-BBBB', authorName: '张三', mobile: '13812345678', email: 'zs@example.com', theme: '交通', area: '市南区',
      title: '张三反映身份证370202198001011234被冒用', body: '请回复zs@example.com,联系人:李四', status: 'published',
      publicAnswer: '已办理', adoption: 'none', createdAt: 0, publishedAt: 1,
    });
    expect(JSON.stringify(v)).not.toMatch(/张三|370202198001011234|zs@example|李四|13812345678/);
    expect(v.author).toBe('张*');
  });
});

describe('search tokens', () => {
  it('writes the distinct bigrams of a text for the two-character index', () => {
    expect(bigramTokens('公交线路,公交', 'APEC卡')).toBe('公交 交线 线路 ap pe ec c卡');
  });
});

describe('statistics and reviews', () => {
  it('computes medians, bar geometry and reviewer rankings', () => {
    expect(median([])).toBeNull();
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    const chart = barChart([{ label: 'a', value: 10 }, { label: 'b', value: 5 }], { width: 400, labelWidth: 100 });
    expect(chart.bars[0]!.length).toBe(240);
    expect(chart.bars[1]!.length).toBe(120);
    expect(rankByScores([{ suggestionSeq: 1, score: 80 }, { suggestionSeq: 2, score: 95 }, { suggestionSeq: 1, score: 90 }])).toEqual([
      { suggestionSeq: 2, mean: 95, reviewers: 1 },
      { suggestionSeq: 1, mean: 85, reviewers: 2 },
    ]);
  });
});

describe('organisational CSV batches', () => {
  it('reads a GBK file from Excel, reporting the bad row by its line', () => {
    const text = decodeCsvBytes(readFileSync('test/fixtures/suggestions-batch-gbk.csv'));
    const r = parseBatch(text, { ...ctx, departments: [...ctx.departments, '市民政局'] }, '市南区');
    expect(r.good.map((g) => [g.line, g.authorName, g.organisation])).toEqual([
      [2, '刘德华', '市南区'],
      [4, '王芳', '市南区'],
    ]);
    expect(r.good[0]!.targetDepartment).toBe('市民政局');
    expect(r.bad).toEqual([{ line: 3, reason: expect.stringContaining('手机号:手机号码应为 11 位') }]);
  });

  it('names missing header columns and repeated rows', () => {
    expect(parseBatch('姓名,手机号\n张三,13812345678\n', ctx, '').bad[0]!.reason).toContain('表头缺少必填列:主题、领域、标题、内容');
    const row = '张三,13812345678,共享,民生保障,增加社区公交线路,建议增开社区公交接驳线路方便出行。';
    const r = parseBatch(`姓名,手机号,主题,领域,标题,内容\n${row}\n${row}\n`, ctx, '');
    expect(r.good).toHaveLength(1);
    expect(r.bad).toEqual([{ line: 3, reason: '内容与第 2 行相同' }]);
  });
});

describe("the suggestion's change after a department's step (suggestionAfterStep)", () => {
  const now = Date.UTC(2018, 5, 1);
  it.each([
    [[{ status: 'answered' }, { status: 'answered' }], { status: 'answered', answeredAt: now }],
    [[{ status: 'answered' }, { status: 'in_progress' }], { status: 'in_progress' }],
    [[{ status: 'dispatched' }, { status: 'returned' }], { status: 'dispatched' }],
    [[{ status: 'returned' }], { status: 'received', dispatchBy: dispatchDeadline(now) }],
    [[{ status: 'reopened' }, { status: 'returned' }], { status: 'received', dispatchBy: dispatchDeadline(now) }],
    [[{ status: 'answered' }, { status: 'returned' }], { status: 'answered', answeredAt: now }],
  ] as const)('%j → %j', (assignments, expected) => {
    expect(suggestionAfterStep(assignments, now)).toEqual(expected);
  });
});
