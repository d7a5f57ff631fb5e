import { KIND_LABELS, QUESTION_KINDS } from '../components/vocabulary';
import { chinaDateTime } from '../components/format';
import type { Campaign } from '../components/models';
import type { SessionUser } from '../components/models';
import { allQuestions, optionLabels } from '../../src/survey/survey.core';

/* The view model: the fields this page shows. */
export type Answer = string | number | number[] | null;
export interface Question {
  id: string;
  kind: 'single' | 'multiple' | 'rating' | 'text';
  title: string;
  required: boolean;
  options?: string[];
  minChoices?: number;
  maxChoices?: number;
  maxLength?: number;
}
export interface SurveyDefinition {
  intro: string;
  scale: ScaleOption[];
  sections: Section[];
}
export interface SurveyTally {
  responses: number;
  invalid: number;
  questions: QuestionResult[];
}
export interface Survey {
  id: string;
  kind: 'social' | 'discipline';
  access: 'invited' | 'open';
  title: string;
  definition: string;
  state: 'draft' | 'closed' | 'open';
  sealKey: string | null;
  shareCount: number;
  threshold: number;
  responses: number;
  root: string | null;
  version: number;
}
export interface SurveySealState {
  seats: { shareWaiting: boolean; surveyId: string; seatNo: number; custodianId: string; custodianName: string; fingerprint: string | null; downloadedAt: number | null; }[];
  draft: { digest: string; approvedSeats: number[]; tally: SurveyTally; } | undefined;
  unsealed: boolean;
}
export interface TextAnswer {
  questionId: string;
  text: string;
}
export interface ScaleOption {
  label: string;
  valid: boolean;
  satisfied: boolean;
}
export interface Section {
  id: string;
  title: string;
  note?: string;
  questions: Question[];
}
export interface QuestionResult {
  id: string;
  section: string;
  title: string;
  kind: 'single' | 'multiple' | 'rating' | 'text';
  answered: number;
  blank: number;
  options: OptionCount[];
  valid?: number;
  satisfied?: number;
  satisfactionRate?: number | null;
}
export interface OptionCount {
  label: string;
  count: number;
  percent: number | null;
}

export const STATE_LABELS = { draft: '草稿(可编辑)', open: '作答中(已冻结)', closed: '已结束' } as const;
const KIND_NAMES = { social: '社情民意调查', discipline: '活动纪律情况调查' } as const;

const Flash = (p: { flash?: string | undefined; error?: string | undefined }) => (
  <>
    {p.flash && <p class="flash ok" role="status">{p.flash}</p>}
    {p.error && <p class="flash err" role="alert">{p.error}</p>}
  </>
);

const Csrf = ({ token }: { token: string }) => <input type="hidden" name="_csrf" value={token} />;

// ---- respondent's view ----

export interface QuestionnaireProps {
  def: SurveyDefinition;
  values?: Record<string, Answer>;
  errors?: Record<string, string>;
}

function QuestionField({ def, q, no, value, error }: { def: SurveyDefinition; q: Question; no: number; value: Answer | undefined; error?: string | undefined }) {
  const labels = optionLabels(def, q);
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
            <QuestionField def={def} q={q} no={++no} value={values[q.id]} error={errors[q.id]} />
          ))}
        </section>
      ))}
    </>
  );
}

/** Where the device shows the receipt of the ciphertext it sealed, before the server has answered. */
function Sealed() {
  return (
    <div id="sealed" class="flash warn" hidden>
      <p>您的答卷已在本设备上加密,服务器看不到答案。回执码(请记下,提交后核对):</p>
      <p class="receipt" id="sealed-receipt"></p>
    </div>
  );
}

/** The device page for invited questionnaires: blinding happens here (JavaScript required, like the ballot). */
export function RespondPage({ scriptUrl }: { scriptUrl: string }) {
  return (
    <section class="vote survey">
      <h1>问卷调查</h1>
      <noscript>
        <p class="flash err">填写问卷需要启用浏览器的 JavaScript:匿名答卷凭证在本设备上完成“盲化”,服务器因此无法把答卷与您的邀请码关联。</p>
      </noscript>
      <div id="survey-app" hidden>
        <p id="survey-status" class="flash warn" role="status" aria-live="polite" hidden></p>
        <div id="step-code" hidden>
          <h2 tabindex={-1}>输入邀请码</h2>
          <p>邀请码只能使用一次。问卷不记名,任何人都无法知道您填了什么;填写到一半可以关闭页面,在本设备上重新打开会接着填。</p>
          <form id="code-form" class="stack" hx-boost="false" action="/s" method="get">
            <div>
              <label for="code">邀请码</label>
              <input id="code" name="t" type="text" autocomplete="off" autocapitalize="characters" required class="big" />
            </div>
            <button type="submit" class="big">开始填写</button>
          </form>
        </div>
        <div id="step-form" hidden>
          <div id="survey-form-slot"></div>
          <Sealed />
        </div>
        <div id="step-done" hidden>
          <h2 tabindex={-1}>答卷已提交,谢谢您!</h2>
          <p id="receipt-alert" class="flash err" role="alert" hidden></p>
          <p>回执码(可用于核对您的答卷已被计入):</p>
          <p class="receipt" id="receipt"></p>
          <p class="muted">
            完整回执:<code class="wrap" id="receipt-full"></code>
          </p>
        </div>
      </div>
      <script src={scriptUrl} defer></script>
    </section>
  );
}

/** The fragment the device loads after it holds a credential. */
export function SurveyFormFragment({ survey, def }: { survey: Survey; def: SurveyDefinition }) {
  return (
    <>
      <h2 tabindex={-1}>{survey.title}</h2>
      <form id="survey-form" data-survey={survey.id} data-def={JSON.stringify(def)} hx-boost="false" novalidate>
        <p id="form-errors" class="flash err" role="alert" hidden></p>
        <Questionnaire def={def} />
        <button type="submit" class="big">
          提交答卷
        </button>
      </form>
    </>
  );
}

/**
 * Open-access questionnaire (the discipline form). The page seals the answers on the device
 * (survey.js) and posts the ciphertext as JSON; the form itself never posts: method="dialog"
 * outside a dialog submits nowhere, and its button is disabled until the script enables it.
 * Without JavaScript the page says why it cannot take the answers.
 */
export function OpenSurveyPage(props: { campaign: Campaign; survey: Survey; def: SurveyDefinition; scriptUrl: string }) {
  return (
    <section class="survey">
      <h1>{props.survey.title}</h1>
      {props.survey.state !== 'open' || !props.survey.sealKey ? (
        <p class="flash warn">{props.survey.state === 'draft' ? '本调查表尚未开放。' : '本调查表已经结束,不再接收反映。'}</p>
      ) : (
        <>
          <noscript>
            <p class="flash err">需要启用 JavaScript 才能在本机加密答卷;也可以在会场填写纸质调查表</p>
          </noscript>
          <p id="survey-status" class="flash warn" role="status" aria-live="polite" hidden></p>
          <div id="step-form">
            <form
              id="open-survey-form"
              class="stack"
              method="dialog"
              hx-boost="false"
              novalidate
              data-campaign={props.campaign.code}
              data-survey={props.survey.id}
              data-seal-key={props.survey.sealKey}
              data-def={JSON.stringify(props.def)}
            >
              <p id="form-errors" class="flash err" role="alert" hidden></p>
              <Questionnaire def={props.def} />
              <button type="submit" class="big" disabled>
                匿名提交
              </button>
            </form>
            <Sealed />
          </div>
          <div id="step-done" hidden>
            <h2 tabindex={-1}>已收到您的反映,谢谢!</h2>
            <p id="receipt-alert" class="flash err" role="alert" hidden></p>
            <p>回执码(可用于核对您的反映已被计入):</p>
            <p class="receipt" id="receipt"></p>
            <p class="muted">
              完整回执:<code class="wrap" id="receipt-full"></code>
            </p>
          </div>
          <script src={props.scriptUrl} defer></script>
        </>
      )}
    </section>
  );
}

// ---- organisers ----

export function SurveysPage(props: { campaign: Campaign; surveys: (Survey & { counts?: { delegate: number; citizen: number; redeemed: number } })[]; csrfToken: string; user: SessionUser; error?: string }) {
  const base = `/staff/c/${props.campaign.code}/surveys`;
  return (
    <section>
      <h1>问卷调查</h1>
      <p class="muted">社情民意调查与活动纪律情况调查表。问卷开放后内容冻结;答卷提交时即加密封存,问卷结束后由保管人共同开封。</p>
      <Flash error={props.error} />
      <table>
        <thead>
          <tr>
            <th>问卷</th>
            <th>类别</th>
            <th>作答方式</th>
            <th>状态</th>
            <th>已收答卷</th>
          </tr>
        </thead>
        <tbody>
          {props.surveys.map((s) => (
            <tr>
              <td>
                <a href={`${base}/${s.id}`}>{s.title}</a>
              </td>
              <td>{KIND_NAMES[s.kind]}</td>
              <td>{s.access === 'invited' ? '凭邀请码(匿名凭证)' : '凭链接'}</td>
              <td>{STATE_LABELS[s.state]}</td>
              <td>{s.state === 'draft' ? '—' : s.responses}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.user.role === 'organiser' && (
        <div class="card stack">
          <h2>新建问卷</h2>
          <form method="post" action={`${base}/templates/social`} class="inline">
            <Csrf token={props.csrfToken} />
            <button type="submit">按模板新建社情民意调查(13 个领域)</button>
          </form>
          <form method="post" action={`${base}/templates/discipline`} class="inline">
            <Csrf token={props.csrfToken} />
            <button type="submit" class="secondary">
              按模板新建活动纪律情况调查表
            </button>
          </form>
          <form method="post" action={base} class="stack">
            <Csrf token={props.csrfToken} />
            <div>
              <label for="title">空白问卷标题</label>
              <input id="title" name="title" required maxlength={60} />
            </div>
            <button type="submit" class="secondary">
              新建空白问卷
            </button>
          </form>
        </div>
      )}
    </section>
  );
}

export interface SurveyEditProps {
  campaign: Campaign;
  survey: Survey;
  def: SurveyDefinition;
  user: SessionUser;
  csrfToken: string;
  seal: SurveySealState;
  counts: { delegate: number; citizen: number; redeemed: number };
  flash?: string | undefined;
  error?: string | undefined;
  errors?: Record<string, string>;
  json?: string;
}

/** The definition's version the page was read at: every builder form carries it; a change made on an older one is refused (409). */
function Version({ survey }: { survey: { version: number } }) {
  return <input type="hidden" name="version" value={String(survey.version)} />;
}

/** The builder and the survey's life: sections and questions (drafts), ceremony, opening, invitations, closing, unsealing. */
export function SurveyEditPage(p: SurveyEditProps) {
  const base = `/staff/c/${p.campaign.code}/surveys/${p.survey.id}`;
  const api = `/api/campaigns/${p.campaign.code}/surveys/${p.survey.id}`;
  const draft = p.survey.state === 'draft';
  const org = p.user.role === 'organiser';
  const e = p.errors ?? {};
  let no = 0;
  return (
    <section>
      <p>
        <a href={`/staff/c/${p.campaign.code}/surveys`}>← 全部问卷</a>
      </p>
      <h1>{p.survey.title}</h1>
      <p>
        状态:<strong>{STATE_LABELS[p.survey.state]}</strong> · {p.survey.access === 'invited' ? '凭邀请码作答(每码一份匿名答卷)' : '凭链接作答'} ·{' '}
        <a href={`${base}/preview`}>预览(按作答者所见)</a>
        {p.survey.state !== 'draft' && <> · 已收答卷 {p.survey.responses} 份</>}
      </p>
      <Flash flash={p.flash} error={p.error} />

      <div class="card">
        <h2>题目</h2>
        {!draft && <p class="muted">问卷已开放,内容已冻结。</p>}
        {p.def.sections.length === 0 && <p class="muted">还没有栏目。先新建一个栏目,再向栏目添加题目。</p>}
        {p.def.sections.map((s, si) => (
          <div class="survey-section">
            <h3>
              {s.title} <span class="muted">({s.questions.length} 题)</span>
            </h3>
            {e[`sections.${si}.title`] && <p class="field-error">{e[`sections.${si}.title`]}</p>}
            <ol start={no + 1}>
              {s.questions.map((q, qi) => {
                no++;
                const at = `sections.${si}.questions.${qi}`;
                const errs = Object.entries(e).filter(([k]) => k.startsWith(at + '.'));
                return (
                  <li>
                    <strong>{q.title}</strong> <span class="muted">[{KIND_LABELS[q.kind]} · {q.required ? '必答' : '选答'}]</span>
                    {q.kind !== 'text' && <span class="muted"> 选项:{optionLabels(p.def, q).join(' / ')}</span>}
                    {errs.map(([, m]) => (
                      <p class="field-error">{m}</p>
                    ))}
                    {draft && org && (
                      <span class="row">
                        <form method="post" action={`${base}/questions/${q.id}/move`} class="inline">
                          <Csrf token={p.csrfToken} />
                          <Version survey={p.survey} />
                          <input type="hidden" name="dir" value="up" />
                          <button type="submit" class="small secondary" aria-label={`上移 ${q.title}`}>
                            上移
                          </button>
                        </form>
                        <form method="post" action={`${base}/questions/${q.id}/delete`} class="inline">
                          <Csrf token={p.csrfToken} />
                          <Version survey={p.survey} />
                          <button type="submit" class="small secondary" aria-label={`删除 ${q.title}`}>
                            删除
                          </button>
                        </form>
                      </span>
                    )}
                  </li>
                );
              })}
            </ol>
          </div>
        ))}
        {draft && org && (
          <>
            <form id="question-form" method="post" action={`${base}/questions`} class="stack">
              <Csrf token={p.csrfToken} />
              <Version survey={p.survey} />
              <h3>添加题目</h3>
              <div>
                <label for="section">栏目</label>
                <select id="section" name="section">
                  {p.def.sections.map((s) => (
                    <option value={s.id}>{s.title}</option>
                  ))}
                  <option value="">(新栏目,名称见下)</option>
                </select>
              </div>
              <div>
                <label for="sectionTitle">新栏目名称(选“新栏目”时填写)</label>
                <input id="sectionTitle" name="sectionTitle" maxlength={60} />
              </div>
              <div>
                <label for="kind">题型</label>
                <select id="kind" name="kind">
                  {QUESTION_KINDS.map((k) => (
                    <option value={k}>{KIND_LABELS[k]}</option>
                  ))}
                </select>
              </div>
              <div>
                <label for="qtitle">题目</label>
                <input id="qtitle" name="title" maxlength={200} aria-invalid={e['title'] ? 'true' : undefined} />
                {e['title'] && <p class="field-error">{e['title']}</p>}
              </div>
              <div>
                <label for="options">选项(单选、多选题:每行一个;满意度评价题使用下方统一的评价等级)</label>
                <textarea id="options" name="options" rows={4}></textarea>
                {e['options'] && <p class="field-error">{e['options']}</p>}
              </div>
              <div class="row">
                <label>
                  最少选 <input name="minChoices" type="number" min={0} max={60} class="w-5em" />
                </label>
                <label>
                  最多选 <input name="maxChoices" type="number" min={1} max={60} class="w-5em" />
                </label>
                <label>
                  文字题字数上限 <input name="maxLength" type="number" min={10} max={2000} class="w-6em" />
                </label>
              </div>
              {e['choices'] && <p class="field-error">{e['choices']}</p>}
              <label>
                <input type="checkbox" name="required" value="1" checked /> 必答
              </label>
              <button type="submit">添加题目</button>
            </form>
            <details>
              <summary>高级:以 JSON 编辑整份问卷(引言、评价等级、栏目与题目)</summary>
              <form id="definition-form" method="post" action={`${base}/definition`} class="stack">
                <Csrf token={p.csrfToken} />
                {/* the version the JSON was read at: saving over someone else's newer edit is refused (409) */}
                <Version survey={p.survey} />
                <label for="definition">问卷定义</label>
                <textarea id="definition" name="definition" rows={16} class="mono">
                  {p.json ?? JSON.stringify(p.def, null, 2)}
                </textarea>
                {e['definition'] && <p class="field-error">{e['definition']}</p>}
                <button type="submit">保存</button>
              </form>
            </details>
          </>
        )}
        <p class="muted">
          评价等级:
          {p.def.scale.map((o) => `${o.label}${o.satisfied ? '(计为满意)' : ''}${o.valid ? '' : '(不计入有效答卷)'}`).join(' / ')}。满意率 = 计为满意的人次 ÷ 有效答卷(不含“不了解”和未答)。
        </p>
      </div>

      <div class="card">
        <h2>密钥仪式与开封({p.survey.threshold}/{p.survey.shareCount})</h2>
        <p class="muted">
          答卷在提交时加密封存到本问卷的公钥;私钥只以分片形式由 {p.survey.shareCount} 位保管人分别持有,服务器从不持有私钥或能打开的分片;问卷结束后须 {p.survey.threshold} 位保管人在自己一方开封并确认结果。
        </p>
        <p>公钥:{p.survey.sealKey ? <code class="wrap">{p.survey.sealKey}</code> : '尚未生成'}</p>
        {p.survey.root && (
          <p>
            答卷集合承诺(结束时固定):<code class="wrap">{p.survey.root}</code>
          </p>
        )}
        <ul>
          {p.seal.seats.map((s) => (
            <li>
              席位 {s.seatNo}:{s.custodianName}
              {s.fingerprint && (
                <>
                  {' '}
                  · 指纹 <code>{s.fingerprint.slice(0, 16)}</code>
                </>
              )}{' '}
              {s.downloadedAt ? '· 封存分片已下载' : s.shareWaiting ? '· 封存分片待下载' : ''}
            </li>
          ))}
        </ul>
        {draft && org && !p.survey.sealKey && p.seal.seats.length === 0 && (
          <form method="post" action={`${base}/tally/settings`} class="row">
            <Csrf token={p.csrfToken} />
            <label>
              保管人数 <input name="shareCount" type="number" min={2} max={15} value={String(p.survey.shareCount)} class="w-5em" />
            </label>
            <label>
              开封门限 <input name="threshold" type="number" min={2} max={15} value={String(p.survey.threshold)} class="w-5em" />
            </label>
            <button type="submit" class="secondary">
              保存
            </button>
          </form>
        )}
        {draft && p.user.role === 'custodian' && !p.survey.sealKey && (
          <form method="post" action={`${base}/tally/join`} class="stack">
            <Csrf token={p.csrfToken} />
            <p class="muted">
              在自己的电脑上由口令或密钥文件算出席位公钥(服务器只保存公钥,重新登录不影响):
<input type="text" readonly class="mono" value={`npm run seat-key -- --campaign ${p.campaign.code} --survey ${p.survey.id} --seat 1 --passphrase-file passphrase.txt`} aria-label="生成席位公钥的命令" />
            </p>
            <label>
              席位号 <input name="seat" type="number" min={1} max={p.survey.shareCount} required class="w-5em" />
            </label>
            <label for="seatKey">席位公钥</label>
            <input type="text" id="seatKey" name="seatKey" required class="mono" autocomplete="off" />
            {e['seatKey'] && <p class="field-error">{e['seatKey']}</p>}
            <button type="submit">加入密钥仪式</button>
          </form>
        )}
        {draft && (org || p.user.role === 'statistician') && (
          <form method="post" action={`${base}/tally/ceremony`} class="stack" enctype="multipart/form-data">
            <Csrf token={p.csrfToken} />
            <p class="muted">
              在离线电脑上举行仪式:下载 <a href={`${api}/tally/seats`}>席位文件</a>,运行下面的命令,再上传生成的仪式文件。私钥不经过服务器。
              <input type="text" readonly class="mono" value={`npm run ceremony -- --campaign ${p.campaign.code} --survey ${p.survey.id} --seats seats.json --out ceremony.json`} aria-label="密钥仪式命令" />
            </p>
            <input type="file" name="ceremonyFile" accept=".json,application/json" aria-label="仪式文件" required />
            <button type="submit">上传仪式文件</button>
          </form>
        )}
        {p.user.role === 'custodian' && p.survey.sealKey && p.seal.seats.some((s) => s.custodianId === p.user.id) && (
          <p>
            <a href={`${api}/tally/share`} download>
              下载我的封存分片
            </a>
            <span class="muted">(只有您的口令或密钥文件能打开)</span>
            <input type="text" readonly class="mono" value="npm run unseal -- --open sealed-share.json --passphrase-file passphrase.txt --out share.json" aria-label="打开分片的命令" />
          </p>
        )}
        {p.survey.state === 'closed' && !p.seal.unsealed && (
          <>
            <p class="muted">
              开封在保管人一方进行:下载 <a href={`${api}/tally/commitment`}>承诺文件</a> 和 <a href={`${api}/tally/responses`}>已承诺答卷</a>,由 {p.survey.threshold} 位保管人运行下面的命令,上传公开版结果,再由 {p.survey.threshold} 位保管人确认后公布。
              <input type="text" readonly class="mono" value={'npm run unseal -- --commitment commitment.json --responses responses.json --share sealed-share.json --passphrase-file passphrase.txt … --out result.json'} aria-label="开封命令" />
            </p>
            {(org || ['custodian', 'statistician'].includes(p.user.role)) && (
              <form method="post" action={`${base}/tally/result`} class="stack" enctype="multipart/form-data">
                <Csrf token={p.csrfToken} />
                <input type="file" name="resultFile" accept=".json,application/json" aria-label="结果文件" required />
                <button type="submit">上传开封结果(公开版)</button>
              </form>
            )}
            {p.seal.draft && (
              <div>
                <p>
                  待确认结果:有效答卷 {p.seal.draft.tally.responses} 份,无效 {p.seal.draft.tally.invalid} 份 · 摘要 <code>{p.seal.draft.digest.slice(0, 16)}</code> · 已确认席位:
                  {p.seal.draft.approvedSeats.length ? p.seal.draft.approvedSeats.join('、') : '无'}({p.survey.threshold} 位确认后公布)
                </p>
                {p.user.role === 'custodian' && p.seal.seats.some((s) => s.custodianId === p.user.id) && (
                  <form method="post" action={`${base}/tally/approve`} class="inline">
                    <Csrf token={p.csrfToken} />
                    <input type="hidden" name="digest" value={p.seal.draft.digest} />
                    <button type="submit">确认此结果</button>
                  </form>
                )}
              </div>
            )}
          </>
        )}
        {p.seal.unsealed && (
          <p>
            已开封:<a href={`/c/${p.campaign.code}/surveys/${p.survey.id}/results`}>查看结果</a>
            {(['statistician', 'auditor'] as string[]).includes(p.user.role) && (
              <>
                {' '}
                · <a href={`${base}/review`}>审核文字答复(隐去个人信息后发布)</a>
              </>
            )}
          </p>
        )}
      </div>

      {org && (
        <div class="card">
          <h2>开放与结束</h2>
          {draft && (
            <form method="post" action={`${base}/open`} class="inline">
              <Csrf token={p.csrfToken} />
              <button type="submit">开放作答(内容随即冻结)</button>
            </form>
          )}
          {p.survey.state === 'open' && (
            <form method="post" action={`${base}/close`} class="inline">
              <Csrf token={p.csrfToken} />
              <button type="submit">结束作答并承诺答卷集合</button>
            </form>
          )}
          {p.survey.access === 'open' && p.survey.state === 'open' && (
            <p>
              作答链接:<a href={`/c/${p.campaign.code}/surveys/${p.survey.id}`}>{`/c/${p.campaign.code}/surveys/${p.survey.id}`}</a>
            </p>
          )}
        </div>
      )}

      {p.survey.access === 'invited' && (org || p.user.role === 'venue_staff') && p.survey.state !== 'closed' && (
        <div class="card">
          <h2>邀请码</h2>
          <p>
            已发放:代表 {p.counts.delegate} · 市民 {p.counts.citizen} · 已领取答卷凭证 {p.counts.redeemed}
          </p>
          <p class="muted">每个邀请码换取一份匿名答卷凭证(盲签名),服务器无法把答卷与邀请码关联。作答地址:/s</p>
          {p.survey.state === 'open' && (
            <form method="post" action={`${base}/invitations/delegate`} class="stack">
              <Csrf token={p.csrfToken} />
              <label for="delegateCode">为代表发放(代表证号)</label>
              <input id="delegateCode" name="delegateCode" autocomplete="off" />
              <button type="submit">发放邀请码</button>
            </form>
          )}
          {org && (
            <form method="post" action={`${base}/invitations/citizens`} class="stack" hx-boost="false">
              <Csrf token={p.csrfToken} />
              <label for="count">为受邀市民生成一批邀请码(数量)</label>
              <input id="count" name="count" type="number" min={1} max={2000} value="100" />
              <button type="submit">生成并打印(只显示一次)</button>
            </form>
          )}
        </div>
      )}
    </section>
  );
}

export function PreviewPage({ campaign, survey, def }: { campaign: Campaign; survey: Survey; def: SurveyDefinition }) {
  return (
    <section class="survey">
      <p>
        <a href={`/staff/c/${campaign.code}/surveys/${survey.id}`}>← 返回编辑</a>
      </p>
      <p class="flash warn">预览:以下是作答者在手机或平板上看到的样子,提交按钮在预览中不可用。</p>
      <h1>{survey.title}</h1>
      <form class="stack" action="#" method="get">
        <Questionnaire def={def} />
        <button type="submit" class="big" disabled>
          提交答卷
        </button>
      </form>
    </section>
  );
}

export function CodesPage({ survey, batch, codes, note }: { survey: Survey; batch: string; codes: string[]; note: string }) {
  return (
    <section>
      <h1>
        {survey.title} · 邀请码(批次 {batch})
      </h1>
      <p class="flash warn">{note}</p>
      <ol class="codes">
        {codes.map((c) => (
          <li>
            <code class="ticket">{c}</code>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function DelegateCodePage({ survey, code, name }: { survey: Survey; code: string; name: string }) {
  return (
    <section>
      <h1>{survey.title} · 邀请码</h1>
      <p>已为代表 {name} 发放邀请码(只显示这一次,请交给代表本人):</p>
      <p class="ticket">{code}</p>
      <p>代表在手机或平板上打开 /s 输入此码即可匿名作答。</p>
    </section>
  );
}

// ---- results ----

export function SurveyResultPage(props: { campaign: Campaign; survey: Survey; tally: SurveyTally; chartSvg: string; texts: TextAnswer[] | null; unsealedAt: number; staffView?: boolean }) {
  const base = `/c/${props.campaign.code}/surveys/${props.survey.id}/results`;
  const ratings = props.tally.questions.filter((q) => q.kind === 'rating');
  const titleOf = new Map(props.tally.questions.map((q) => [q.id, q.title]));
  return (
    <section>
      <h1>{props.survey.title} · 调查结果</h1>
      <p>
        有效答卷 {props.tally.responses} 份 · 无效答卷 {props.tally.invalid ?? 0} 份 · 开封于 {chinaDateTime(props.unsealedAt)}(北京时间) · 答卷集合承诺 <code>{props.survey.root?.slice(0, 16)}</code> ·{' '}
        <a href={`${base}.csv`} hx-boost="false">
          下载 CSV
        </a>
      </p>
      {ratings.length > 0 && (
        <>
          <h2>各领域满意率</h2>
          <p class="muted">满意率 = 选“满意”“比较满意”等计为满意的人次 ÷ 有效答卷;“不了解”和未答不计入有效答卷。</p>
          {(props.tally.invalid ?? 0) > 0 && (
            <p class="muted">无效答卷是开封时无法解密、不属于本问卷或答案不符合问卷规则的答卷(答卷在填写人的设备上加密,服务器提交时无法检查其内容),不计入任何统计。</p>
          )}
          <div class="chart" dangerouslySetInnerHTML={{ __html: props.chartSvg }} />
          <table>
            <thead>
              <tr>
                <th>领域</th>
                <th>有效答卷</th>
                <th>满意人次</th>
                <th>满意率</th>
              </tr>
            </thead>
            <tbody>
              {ratings.map((q) => (
                <tr>
                  <td>{q.title}</td>
                  <td>{q.valid}</td>
                  <td>{q.satisfied}</td>
                  <td>{q.satisfactionRate === null || q.satisfactionRate === undefined ? '—' : `${q.satisfactionRate.toFixed(2)}%`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>各题分布</h2>
      {props.tally.questions
        .filter((q) => q.kind !== 'text')
        .map((q) => (
          <div class="survey-result">
            <h3>
              {q.title} <span class="muted">[{KIND_LABELS[q.kind]} · 作答 {q.answered} · 未答 {q.blank}]</span>
            </h3>
            <table>
              <tbody>
                {q.options.map((o) => (
                  <tr>
                    <td>{o.label}</td>
                    <td>{o.count}</td>
                    <td>{o.percent === null ? '—' : `${o.percent.toFixed(2)}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <h2>文字意见</h2>
      {props.texts === null ? (
        <p class="muted">文字意见正在由审核人员隐去个人信息,审核后发布。</p>
      ) : props.texts.length === 0 ? (
        <p class="muted">没有文字意见。</p>
      ) : (
        <ul class="texts">
          {props.texts.map((t) => (
            <li>
              <span class="muted">{titleOf.get(t.questionId)}:</span>
              {t.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** A free-text answer as the reviewer gets it: what the detector flagged (labelled) and its masked suggestion. */
export interface ReviewText extends TextAnswer {
  findings: { label: string; text: string }[];
  suggested: string;
}

export function ReviewPage(props: { campaign: Campaign; survey: Survey; texts: ReviewText[]; titles: Map<string, string>; csrfToken: string; published: boolean; error?: string }) {
  return (
    <section>
      <h1>{props.survey.title} · 审核文字答复</h1>
      <p class="muted">
        逐条核对:系统已标出疑似电话号码、身份证号、邮箱、银行卡号和姓名,并给出隐去后的建议文本。请修改文本隐去系统未能识别的个人信息;清空某条则不发布该条。发布时系统会再次隐去能识别的个人信息。发布后不能再改,审核记入审计日志。
      </p>
      <Flash error={props.error} />
      {props.published ? (
        <p class="flash ok">文字答复已经发布。</p>
      ) : (
        <form method="post" action={`/staff/c/${props.campaign.code}/surveys/${props.survey.id}/review`} class="stack">
          <Csrf token={props.csrfToken} />
          {props.texts.map((t, i) => {
            const findings = t.findings;
            return (
              <div class="card">
                <p class="muted">{props.titles.get(t.questionId)}</p>
                <blockquote>{t.text}</blockquote>
                {findings.length > 0 && (
                  <p class="flash warn">
                    发现疑似个人信息:{findings.map((f) => `${f.label}“${f.text}”`).join('、')}
                  </p>
                )}
                <label for={`t${i}`}>发布文本</label>
                <textarea id={`t${i}`} name={`t${i}`} rows={3}>
                  {t.suggested}
                </textarea>
              </div>
            );
          })}
          <button type="submit">确认隐去个人信息并发布({props.texts.length} 条)</button>
        </form>
      )}
    </section>
  );
}

/** Public: the campaign's social surveys, their seal (public key, commitment) and results once unsealed. */
export function PublicSurveysPage({ campaign, surveys, unsealed }: { campaign: Campaign; surveys: Survey[]; unsealed: Set<string> }) {
  return (
    <section>
      <h1>{campaign.name} · 社情民意调查</h1>
      {surveys.length === 0 && <p class="muted">还没有开放的调查。</p>}
      <ul>
        {surveys.map((s) => (
          <li>
            <strong>{s.title}</strong>:
            {unsealed.has(s.id) ? (
              <a href={`/c/${campaign.code}/surveys/${s.id}/results`}>已开封,查看结果</a>
            ) : s.state === 'closed' ? (
              <>已结束,答卷集合已承诺(<code>{s.root?.slice(0, 16)}</code>),等待保管人开封</>
            ) : (
              <>作答中,答卷加密封存,结束并开封前不公布任何结果</>
            )}
            <br />
            <span class="muted">
              封存公钥 <code>{s.sealKey?.slice(0, 16)}</code> · 开封门限 {s.threshold}/{s.shareCount}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
