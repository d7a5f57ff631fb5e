/**
 * Ready-made questionnaires an organiser can start from (the builder edits them like any
 * other draft): the 社情民意调查 with the 13 fields earlier editions asked about, and the
 * delegates' 活动纪律情况调查表, which used to be a special form.
 */
import { DEFAULT_SCALE, type ScaleOption, type SurveyDefinition } from './survey.core';

export const SOCIAL_FIELDS = ['经济发展', '政务服务环境', '社会治安', '社会保障', '社会救助', '教育', '环境卫生', '交通出行', '就业', '生态环境', '医疗卫生', '住房', '食品安全'] as const;

export function socialSurveyTemplate(scale: ScaleOption[] = DEFAULT_SCALE): { title: string; kind: 'social'; definition: SurveyDefinition } {
  return {
    title: '社情民意调查',
    kind: 'social',
    definition: {
      intro: '本调查不记名。您的答卷在提交时即加密封存,调查结束后由第三方保管人共同开启统计,任何人都无法知道您填了什么。请根据您的切身感受作答,谢谢!',
      scale,
      sections: [
        {
          id: 's1',
          title: '基本情况',
          questions: [
            { id: 'q1', kind: 'single', title: '您的身份', required: true, options: ['市民', '市民代表', '企业职工', '个体工商户', '其他'] },
            { id: 'q2', kind: 'single', title: '您的年龄', required: false, options: ['18–30 岁', '31–45 岁', '46–60 岁', '60 岁以上'] },
          ],
        },
        {
          id: 's2',
          title: '对全市各领域工作的满意程度',
          note: '请对以下每个领域选择一项;不了解的请选“不了解”(不计入满意率)。',
          questions: SOCIAL_FIELDS.map((f, i) => ({ id: `q${i + 3}`, kind: 'rating' as const, title: f, required: true })),
        },
        {
          id: 's3',
          title: '意见和建议',
          questions: [
            { id: 'q16', kind: 'multiple', title: '您最希望明年重点改进的领域(最多选 3 项)', required: false, options: [...SOCIAL_FIELDS], minChoices: 0, maxChoices: 3 },
            { id: 'q17', kind: 'text', title: '您对全市工作的其他意见和建议(请勿填写姓名、电话等个人信息)', required: false, maxLength: 500 },
          ],
        },
      ],
    },
  };
}

export const DISCIPLINE_KINDS = ['拉票或请托', '赠送礼品或宴请', '干扰代表独立评议', '会场秩序问题', '其他'] as const;

export function disciplineTemplate(departments: string[]): { title: string; kind: 'discipline'; definition: SurveyDefinition } {
  return {
    title: '活动纪律情况调查表',
    kind: 'discipline',
    definition: {
      intro: '如发现被评议部门或其他人员拉票、请托、干扰评议等违反活动纪律的情况,请在此匿名反映。本表不记录您的姓名、代表证号或提交时刻;反映内容加密封存,调查结束后由保管人共同开启,经审核隐去个人信息后交组织者处理。',
      scale: DEFAULT_SCALE,
      sections: [
        {
          id: 's1',
          title: '活动纪律情况',
          questions: [
            { id: 'q1', kind: 'single', title: '本次活动中,您是否遇到违反活动纪律的情况?', required: true, options: ['没有遇到', '遇到过'] },
            { id: 'q2', kind: 'multiple', title: '情况类别(遇到过的请选择,可多选)', required: false, options: [...DISCIPLINE_KINDS], minChoices: 0 },
            ...(departments.length >= 2
              ? [{ id: 'q3', kind: 'single' as const, title: '涉及部门(可不填)', required: false, options: departments.slice(0, 60) }]
              : []),
            { id: 'q4', kind: 'text', title: '具体情况(请勿填写您本人的姓名或联系方式)', required: false, maxLength: 1000 },
          ],
        },
      ],
    },
  };
}
