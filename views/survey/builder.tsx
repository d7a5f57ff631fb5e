/** The organisers' pages: the survey list, the builder and the survey's life, the preview, invitation codes. */
import { Flash, KIND_NAMES, STATE_LABELS, type CampaignView, type QuestionnaireView, type SurveyView, type UserView } from './parts';
import { CsrfField } from '../components/layout';
import { Questionnaire } from './questionnaire';
import { SealCard, type SealView } from './ceremony';

export function SurveysPage(props: { campaign: CampaignView; surveys: SurveyView[]; csrfToken: string; user: UserView; error?: string }) {
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
            <CsrfField token={props.csrfToken} />
            <button type="submit">按模板新建社情民意调查(13 个领域)</button>
          </form>
          <form method="post" action={`${base}/templates/discipline`} class="inline">
            <CsrfField token={props.csrfToken} />
            <button type="submit" class="secondary">
              按模板新建活动纪律情况调查表
            </button>
          </form>
          <form method="post" action={base} class="stack">
            <CsrfField token={props.csrfToken} />
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
  campaign: CampaignView;
  survey: SurveyView;
  def: QuestionnaireView;
  /** the question kinds the add form offers, named */
  kinds: { value: string; label: string }[];
  user: UserView;
  csrfToken: string;
  seal: SealView;
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
                    <strong>{q.title}</strong> <span class="muted">[{q.kindLabel} · {q.required ? '必答' : '选答'}]</span>
                    {q.kind !== 'text' && <span class="muted"> 选项:{q.labels.join(' / ')}</span>}
                    {errs.map(([, m]) => (
                      <p class="field-error">{m}</p>
                    ))}
                    {draft && org && (
                      <span class="row">
                        <form method="post" action={`${base}/questions/${q.id}/move`} class="inline">
                          <CsrfField token={p.csrfToken} />
                          <Version survey={p.survey} />
                          <input type="hidden" name="dir" value="up" />
                          <button type="submit" class="small secondary" aria-label={`上移 ${q.title}`}>
                            上移
                          </button>
                        </form>
                        <form method="post" action={`${base}/questions/${q.id}/delete`} class="inline">
                          <CsrfField token={p.csrfToken} />
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
              <CsrfField token={p.csrfToken} />
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
                  {p.kinds.map((k) => (
                    <option value={k.value}>{k.label}</option>
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
                <CsrfField token={p.csrfToken} />
                {/* the version the JSON was read at: saving over someone else's newer edit is refused (409) */}
                <Version survey={p.survey} />
                <label for="definition">问卷定义</label>
                <textarea id="definition" name="definition" rows={16} class="mono">
                  {p.json ?? JSON.stringify(JSON.parse(p.def.json), null, 2)}
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

      <SealCard {...p} />

      {org && (
        <div class="card">
          <h2>开放与结束</h2>
          {draft && (
            <form method="post" action={`${base}/open`} class="inline">
              <CsrfField token={p.csrfToken} />
              <button type="submit">开放作答(内容随即冻结)</button>
            </form>
          )}
          {p.survey.state === 'open' && (
            <form method="post" action={`${base}/close`} class="inline">
              <CsrfField token={p.csrfToken} />
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
              <CsrfField token={p.csrfToken} />
              <label for="delegateCode">为代表发放(代表证号)</label>
              <input id="delegateCode" name="delegateCode" autocomplete="off" />
              <button type="submit">发放邀请码</button>
            </form>
          )}
          {org && (
            <form method="post" action={`${base}/invitations/citizens`} class="stack" hx-boost="false">
              <CsrfField token={p.csrfToken} />
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

export function PreviewPage({ campaign, survey, def }: { campaign: CampaignView; survey: SurveyView; def: QuestionnaireView }) {
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

export function CodesPage({ survey, batch, codes, note }: { survey: Pick<SurveyView, 'title'>; batch: string; codes: string[]; note: string }) {
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

export function DelegateCodePage({ survey, code, name }: { survey: Pick<SurveyView, 'title'>; code: string; name: string }) {
  return (
    <section>
      <h1>{survey.title} · 邀请码</h1>
      <p>已为代表 {name} 发放邀请码(只显示这一次,请交给代表本人):</p>
      <p class="ticket">{code}</p>
      <p>代表在手机或平板上打开 /s 输入此码即可匿名作答。</p>
    </section>
  );
}

