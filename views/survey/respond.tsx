/** The respondent's pages: the device page for invited questionnaires, its form fragment, the open questionnaire. */
import type { CampaignView, QuestionnaireView, SurveyView } from './parts';
import { Questionnaire, Sealed } from './questionnaire';

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
export function SurveyFormFragment({ survey, def }: { survey: Pick<SurveyView, 'id' | 'title'>; def: QuestionnaireView }) {
  return (
    <>
      <h2 tabindex={-1}>{survey.title}</h2>
      <form id="survey-form" data-survey={survey.id} data-def={def.json} hx-boost="false" novalidate>
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
export function OpenSurveyPage(props: { campaign: CampaignView; survey: SurveyView; def: QuestionnaireView; scriptUrl: string }) {
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
              data-def={props.def.json}
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
