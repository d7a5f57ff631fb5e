/** What the survey pages share: the view models they are given, and the small pieces they repeat. */

export type QuestionKind = 'single' | 'multiple' | 'rating' | 'text';

/** A question as shown: its option labels resolved (the scale for a rating question), and its kind named. */
export interface QuestionView {
  id: string;
  kind: QuestionKind;
  kindLabel: string;
  title: string;
  required: boolean;
  labels: string[];
  minChoices?: number | undefined;
  maxChoices?: number | undefined;
  maxLength?: number | undefined;
}

export interface QuestionnaireView {
  intro: string;
  sections: { id: string; title: string; note?: string | undefined; questions: QuestionView[] }[];
  scale: { label: string; valid: boolean; satisfied: boolean }[];
  /** the definition as the device reads it (data-def) */
  json: string;
}

/** The survey row's fields the pages show (no key material). */
export interface SurveyView {
  id: string;
  title: string;
  kind: 'social' | 'discipline';
  access: 'invited' | 'open';
  state: 'draft' | 'open' | 'closed';
  responses: number;
  version: number;
  sealKey: string | null;
  root: string | null;
  threshold: number;
  shareCount: number;
}

export interface CampaignView {
  code: string;
  name: string;
}

export interface UserView {
  id: string;
  role: string;
}

export const STATE_LABELS = { draft: '草稿(可编辑)', open: '作答中(已冻结)', closed: '已结束' } as const;
export const KIND_NAMES = { social: '社情民意调查', discipline: '活动纪律情况调查' } as const;

export const Flash = (p: { flash?: string | undefined; error?: string | undefined }) => (
  <>
    {p.flash && <p class="flash ok" role="status">{p.flash}</p>}
    {p.error && <p class="flash err" role="alert">{p.error}</p>}
  </>
);

