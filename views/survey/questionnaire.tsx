/** The questions as a respondent sees them: the device, the open form and the organiser's preview. */
import type { QuestionnaireView, QuestionView } from './parts';

export type AnswerValue = number | number[] | string | null;

export interface QuestionnaireProps {
  def: QuestionnaireView;
  values?: Record<string, AnswerValue>;
  errors?: Record<string, string>;
}

function QuestionField({ q, no, value, error }: { q: QuestionView; no: number; value: AnswerValue | undefined; error?: string | undefined }) {
  const labels = q.labels;
  const errId = `${q.id}-error`;
  const hint =
    q.kind === 'multiple'
      ? (() => {
          const min = q.minChoices ?? (q.required ? 1 : 0);
          const max = q.maxChoices ?? labels.length;
          return min && max < labels.length ? `(选 ${min}–${max} 项)` : max < labels.length ? `(最多选 ${max} 项)` : min > 1 ? `(至少选 ${min} 项)` : '(可多选)';
        })()
      : '';
  const chosen = (i: number) => (Array.isArray(value) ? value.includes(i) : value === i);
  return (
    <fieldset class="ballot-item survey-q" id={`box-${q.id}`} data-q={q.id} data-kind={q.kind} data-required={q.required ? '1' : '0'} data-min={String(q.minChoices ?? (q.required ? 1 : 0))} data-max={String(q.maxChoices ?? labels.length)} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? errId : undefined}>
      <legend>
        {no}. {q.title}
        {q.required ? <span class="req"> *必答</span> : <span class="muted"> (选答)</span>}
        {hint && <span class="muted"> {hint}</span>}
      </legend>
      {q.kind === 'text' ? (
        <textarea name={q.id} aria-label={q.title} maxlength={q.maxLength ?? 500} rows={4}>
          {typeof value === 'string' ? value : ''}
        </textarea>
      ) : (
        <div class="choices">
          {labels.map((label, i) => (
            <label class="choice">
              <input type={q.kind === 'multiple' ? 'checkbox' : 'radio'} name={q.id} value={String(i + 1)} checked={chosen(i + 1)} />
              <span>{label}</span>
            </label>
          ))}
        </div>
      )}
      <p class="field-error" id={errId} hidden={!error}>
        {error ?? ''}
      </p>
    </fieldset>
  );
}

/** The questions as a respondent sees them; used by the device, the open form and the organiser's preview. */
export function Questionnaire({ def, values = {}, errors = {} }: QuestionnaireProps) {
  let no = 0;
  return (
    <>
      {def.intro && <p class="survey-intro">{def.intro}</p>}
      {def.sections.map((s) => (
        <section class="survey-section">
          <h3>{s.title}</h3>
          {s.note && <p class="muted">{s.note}</p>}
          {s.questions.map((q) => (
            <QuestionField q={q} no={++no} value={values[q.id]} error={errors[q.id]} />
          ))}
        </section>
      ))}
    </>
  );
}


/** Where the device shows the receipt of the ciphertext it sealed, before the server has answered. */
export function Sealed() {
  return (
    <div id="sealed" class="flash warn" hidden>
      <p>您的答卷已在本设备上加密,服务器看不到答案。回执码(请记下,提交后核对):</p>
      <p class="receipt" id="sealed-receipt"></p>
    </div>
  );
}
