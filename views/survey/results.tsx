/** The results: the published tally, the reviewers' free-text page, the public list of social surveys. */
import { chinaDateTime } from '../components/format';
import { CsrfField } from '../components/layout';
import { Flash, type CampaignView, type SurveyView } from './parts';

export interface TextAnswerView {
  questionId: string;
  text: string;
}

/** The unsealed tally as shown, each question's kind named. */
export interface TallyView {
  responses: number;
  invalid?: number | undefined;
  questions: {
    id: string;
    title: string;
    kind: string;
    kindLabel: string;
    answered: number;
    blank: number;
    options: { label: string; count: number; percent: number | null }[];
    valid?: number | undefined;
    satisfied?: number | undefined;
    satisfactionRate?: number | null | undefined;
  }[];
}

export function SurveyResultPage(props: { campaign: CampaignView; survey: SurveyView; tally: TallyView; chartSvg: string; texts: TextAnswerView[] | null; unsealedAt: number; staffView?: boolean }) {
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
              {q.title} <span class="muted">[{q.kindLabel} · 作答 {q.answered} · 未答 {q.blank}]</span>
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
export interface ReviewText extends TextAnswerView {
  findings: { label: string; text: string }[];
  suggested: string;
}

export function ReviewPage(props: { campaign: CampaignView; survey: SurveyView; texts: ReviewText[]; titles: Map<string, string>; csrfToken: string; published: boolean; error?: string }) {
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
          <CsrfField token={props.csrfToken} />
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
export function PublicSurveysPage({ campaign, surveys, unsealed }: { campaign: CampaignView; surveys: SurveyView[]; unsealed: Set<string> }) {
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
