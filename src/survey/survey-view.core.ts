/**
 * The survey pages' view models, built from the domain's rows and definitions: the pages declare
 * the fields they show (views/survey/parts.tsx) and get labels already resolved from the rules here.
 */
import { allQuestions, KIND_LABELS, optionLabels, QUESTION_KINDS, type SurveyDefinition, type SurveyTally } from './survey.core';

interface SurveyFields {
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

/** Only the fields the pages show: never the signing key or the definition text. */
export const surveyView = (s: SurveyFields): SurveyFields => ({
  id: s.id,
  title: s.title,
  kind: s.kind,
  access: s.access,
  state: s.state,
  responses: s.responses,
  version: s.version,
  sealKey: s.sealKey,
  root: s.root,
  threshold: s.threshold,
  shareCount: s.shareCount,
});

export const campaignView = (c: { code: string; name: string }) => ({ code: c.code, name: c.name });

export function questionnaireView(def: SurveyDefinition) {
  return {
    intro: def.intro,
    scale: def.scale.map((o) => ({ label: o.label, valid: o.valid, satisfied: o.satisfied })),
    json: JSON.stringify(def),
    sections: def.sections.map((s) => ({
      id: s.id,
      title: s.title,
      note: s.note,
      questions: s.questions.map((q) => ({
        id: q.id,
        kind: q.kind,
        kindLabel: KIND_LABELS[q.kind],
        title: q.title,
        required: q.required,
        labels: optionLabels(def, q),
        minChoices: q.minChoices,
        maxChoices: q.maxChoices,
        maxLength: q.maxLength,
      })),
    })),
  };
}

export const questionKindOptions = () => QUESTION_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }));

export const tallyView = (t: SurveyTally) => ({ ...t, questions: t.questions.map((q) => ({ ...q, kindLabel: KIND_LABELS[q.kind] })) });

/** Question titles by id, for the reviewers' page. */
export const questionTitles = (def: SurveyDefinition) => new Map(allQuestions(def).map((q) => [q.id, q.title]));
