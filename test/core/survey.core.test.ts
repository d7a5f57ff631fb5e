import { describe, expect, it } from 'vitest';
import {
  checkResponse,
  canonicalResponse,
  DEFAULT_SCALE,
  definitionProblems,
  surveyCsv,
  tallySurvey,
  type SurveyDefinition,
} from '../../src/survey/survey.core';
import { socialSurveyTemplate, SOCIAL_FIELDS } from '../../src/survey/templates.core';

const def: SurveyDefinition = {
  intro: '',
  scale: DEFAULT_SCALE, // 满意 / 比较满意 / 不满意 / 不了解(不计入)
  sections: [
    {
      id: 's1',
      title: '满意度',
      questions: [
        { id: 'a', kind: 'rating', title: '社会治安', required: true },
        { id: 'b', kind: 'rating', title: '住房', required: false },
      ],
    },
    {
      id: 's2',
      title: '其他',
      questions: [
        { id: 'c', kind: 'single', title: '身份', required: false, options: ['市民', '代表'] },
        { id: 'd', kind: 'multiple', title: '关注', required: false, options: ['教育', '医疗', '交通', '住房'], minChoices: 0, maxChoices: 2 },
        { id: 'e', kind: 'text', title: '建议', required: false, maxLength: 20 },
      ],
    },
  ],
};

describe('the builder refuses a questionnaire that cannot be answered', () => {
  it('accepts the 社情民意调查 template, with its 13 fields as rating questions', () => {
    const t = socialSurveyTemplate();
    expect(definitionProblems(t.definition, { forOpening: true })).toEqual({});
    const ratings = t.definition.sections.flatMap((s) => s.questions).filter((q) => q.kind === 'rating');
    expect(ratings.map((q) => q.title)).toEqual([...SOCIAL_FIELDS]);
    expect(ratings).toHaveLength(13);
  });

  it('names each problem where it is', () => {
    const bad: SurveyDefinition = {
      intro: '',
      scale: [{ label: '好', valid: true, satisfied: false }, { label: '好', valid: false, satisfied: false }],
      sections: [
        {
          id: 's1',
          title: '',
          questions: [
            { id: 'q1', kind: 'single', title: '只有一个选项', required: true, options: ['是'] },
            { id: 'q1', kind: 'multiple', title: '重复编号', required: true, options: ['甲', '乙', '甲'] },
            { id: 'q3', kind: 'multiple', title: '选项数不合理', required: false, options: ['甲', '乙'], minChoices: 2, maxChoices: 3 },
            { id: 'q4', kind: 'text', title: '', required: false, maxLength: 5 },
          ],
        },
      ],
    };
    const p = definitionProblems(bad);
    expect(p['scale']).toBeTruthy();
    expect(p['sections.0.title']).toBe('栏目标题须为 1–60 字');
    expect(p['sections.0.questions.0.options']).toBe('选择题须有 2–60 个选项');
    expect(p['sections.0.questions.1.id']).toBe('题目编号 q1 重复');
    expect(p['sections.0.questions.1.options']).toBe('选项不能重复');
    expect(p['sections.0.questions.2.choices']).toMatch(/可选项数须满足/);
    expect(p['sections.0.questions.3.title']).toBe('题目须为 1–200 字');
    expect(p['sections.0.questions.3.maxLength']).toBe('文字题字数上限须为 10–2000');
  });

  it('cannot open an empty questionnaire', () => {
    expect(definitionProblems({ intro: '', scale: DEFAULT_SCALE, sections: [] }, { forOpening: true })['sections']).toBe('问卷还没有题目,不能开放');
  });
});

describe('a response is checked question by question', () => {
  it('asks for required questions and counts options, in words a respondent understands', () => {
    const r = checkResponse(def, { b: 9, c: 1, d: [1, 2, 3], e: '这是一条超过二十个字的建议这是一条超过二十个字的建议' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual({ a: '此题为必答题,请选择', b: '请选择列表中的一项', d: '此题最多选 2 项(已选 3 项)', e: '最多 20 字(现为 26 字)' });
  });

  it('normalises: every question present, blanks null, choices sorted, text trimmed; equal answers give equal canonical text', () => {
    const r = checkResponse(def, { a: 1, d: [3, 1], e: '  多开公交  ' });
    expect(r).toEqual({ ok: true, answers: { a: 1, b: null, c: null, d: [1, 3], e: '多开公交' } });
    const again = checkResponse(def, { e: '多开公交', d: [1, 3], a: 1 });
    expect(r.ok && again.ok && canonicalResponse(def, r.answers) === canonicalResponse(def, again.answers)).toBe(true);
  });

  it('refuses answers to questions the survey does not have', () => {
    const r = checkResponse(def, { a: 1, zz: 2 });
    expect(r.ok).toBe(false);
  });
});

describe('satisfaction rate per field = satisfied / valid answers, 不了解 and blanks excluded', () => {
  it('matches the hand-computed figures', () => {
    // a (社会治安): 满意 ×3, 比较满意 ×2, 不满意 ×1, 不了解 ×2 → valid 6, satisfied 5 → 83.33%
    // b (住房):     满意 ×1, 不满意 ×3, 不了解 ×1, blank ×3   → valid 4, satisfied 1 → 25.00%
    const rows: [number, number | null][] = [
      [1, 1], [1, 3], [1, 3], [2, 3], [2, 4], [3, null], [4, null], [4, null],
    ];
    const responses = rows.map(([a, b]) => ({ a, b, c: null, d: null, e: null }));
    const t = tallySurvey(def, responses);
    const a = t.questions.find((q) => q.id === 'a')!;
    const b = t.questions.find((q) => q.id === 'b')!;
    expect(t.responses).toBe(8);
    expect(a.options.map((o) => o.count)).toEqual([3, 2, 1, 2]);
    expect([a.valid, a.satisfied, a.satisfactionRate]).toEqual([6, 5, 83.33]);
    expect([b.answered, b.blank, b.valid, b.satisfied, b.satisfactionRate]).toEqual([5, 3, 4, 1, 25]);
  });

  it('counts a response the definition does not allow as invalid, in no figure (devices seal what the server never checked)', () => {
    const t = tallySurvey(def, [{ a: 1 }, { a: 99 }, { a: 1, zz: 2 }, { b: 1 }, 'garbage', null, [1, 2], { a: 2, d: [1, 2, 3] }, { a: '1' }]);
    expect([t.responses, t.invalid]).toEqual([1, 8]);
    const a = t.questions.find((q) => q.id === 'a')!;
    expect(a.options.map((o) => o.count)).toEqual([1, 0, 0, 0]);
    expect(a.satisfactionRate).toBe(100);
  });

  it('has no rate (not 0%) when nobody gave a valid answer', () => {
    const t = tallySurvey(def, [{ a: 4, b: null }]);
    expect(t.questions.find((q) => q.id === 'a')!.satisfactionRate).toBeNull();
    expect(t.questions.find((q) => q.id === 'b')!.satisfactionRate).toBeNull();
  });

  it('counts multiple choices per option, as a share of those who answered', () => {
    const t = tallySurvey(def, [{ a: 1, d: [1, 2] }, { a: 1, d: [1] }, { a: 1, d: null }]);
    const d = t.questions.find((q) => q.id === 'd')!;
    expect(d.options.map((o) => [o.count, o.percent])).toEqual([[2, 100], [1, 50], [0, 0], [0, 0]]);
    const csv = surveyCsv('测试', t);
    expect(csv.startsWith('\uFEFF问卷,栏目,题号')).toBe(true);
    expect(csv).toContain('测试,其他,d,关注,多选题,教育,2,100,2,,,');
  });
});

