import type { Department } from '../components/models';
import { groupName } from '../components/ui';

/**
 * The voting device page. Blind signing needs JavaScript on the device (it is what keeps the
 * server from linking a ballot to a check-in), so without it the page explains instead of
 * offering a form that could not be anonymous.
 */
export function VotePage({ scriptUrl }: { scriptUrl: string }) {
  return (
    <section class="vote">
      <h1>市民代表评议投票</h1>
      <noscript>
        <p class="flash err">
          投票需要启用浏览器的 JavaScript:匿名选票凭证在本设备上完成“盲化”,服务器因此无法把选票与您的签到关联。请启用后刷新,或请工作人员更换设备。
        </p>
      </noscript>
      <div id="vote-app" hidden>
        <p id="vote-status" class="flash warn" role="status" aria-live="polite" hidden></p>
        <div id="step-ticket" hidden>
          <h2 tabindex={-1}>第一步:输入凭证码</h2>
          <p>签到后工作人员会给您一个凭证码(如 7K2M-9QXA-4TPC)。凭证码只能使用一次;投票不记名,任何人都无法知道您投了什么。</p>
          <form id="ticket-form" class="stack" hx-boost="false" action="/vote" method="get">
            <div>
              <label for="ticket">凭证码</label>
              <input id="ticket" name="t" type="text" autocomplete="off" autocapitalize="characters" inputmode="text" required class="big" />
            </div>
            <button type="submit" class="big">开始填写选票</button>
          </form>
        </div>
        <div id="step-ballot" hidden>
          <p id="key-fingerprints" class="hint"></p>
          <div id="ballot-form-slot"></div>
        </div>
        <div id="step-done" hidden>
          <h2 tabindex={-1}>选票已投出,谢谢您!</h2>
          <p id="receipt-mismatch" class="flash err" role="alert" hidden></p>
          <p>您的回执码(公布结果后可在“回执查询”页找到它,以核实您的选票已被计入):</p>
          <p class="receipt" id="receipt"></p>
          <details>
            <summary>完整回执</summary>
            <code id="receipt-full" class="wrap"></code>
          </details>
          <p>
            <a href="/discipline">填写活动纪律情况调查表(匿名)</a>
          </p>
          <button id="next-voter" type="button" class="big">下一位代表</button>
        </div>
      </div>
      <script src={scriptUrl} defer></script>
    </section>
  );
}

export interface BallotFormProps {
  campaign: string;
  group: number;
  departments: Pick<Department, 'name' | 'position'>[];
  options: { position: number; label: string }[];
}

/** The ballot itself: every department of the group in report order, the campaign's scale for each. */
export function BallotForm({ campaign, group, departments, options }: BallotFormProps) {
  return (
    <>
      <h2 tabindex={-1}>
        {groupName(group)}评议票({departments.length} 个部门)
      </h2>
      <p class="muted">请对每个部门选择一项;不了解的可选“{options[options.length - 1]?.label}”。全部选完后核对并投出。</p>
      <form
        id="ballot-form"
        data-departments={String(departments.length)}
        data-options={JSON.stringify(options.map((o) => o.label))}
        data-names={JSON.stringify(departments.map((d) => d.name))}
        data-campaign={campaign}
        hx-boost="false"
      >
        {departments.map((d, i) => (
          <fieldset class="ballot-item">
            <legend>
              {i + 1}. {d.name}
            </legend>
            <div class="choices">
              {options.map((o) => (
                <label class="choice">
                  <input type="radio" name={`d${i}`} value={String(o.position)} />
                  <span>{o.label}</span>
                </label>
              ))}
            </div>
          </fieldset>
        ))}
        <button type="submit" class="big">
          检查选票
        </button>
      </form>
      <div id="review-box" hidden>
        <h3 tabindex={-1}>请核对您的选择</h3>
        <div id="review"></div>
        <div class="sealed-receipt">
          <p>这张选票已在本机加密封存,服务器看不到您的选择。它的回执码:</p>
          <p class="receipt" id="pending-receipt"></p>
          <p class="muted">投出后,服务器确认的回执必须与这里相同;结果公布后可凭回执码核实选票已被计入。</p>
        </div>
        <p id="review-status" class="flash warn" role="status" aria-live="polite" hidden></p>
        <div class="row" id="review-actions">
          <button id="back" type="button" class="secondary big">
            返回修改
          </button>
          <button id="check" type="button" class="secondary big">
            检查这张选票
          </button>
          <button id="confirm" type="button" class="big" data-busy="正在投出……">
            投出
          </button>
        </div>
      </div>
      <div id="check-box" hidden>
        <h3 tabindex={-1}>检查这张选票(这张选票不会投出)</h3>
        <p>
          下面是刚才那张选票的密文和加密种子。用手机扫描二维码或保存文件,在<a href="/check" target="_blank" rel="noopener">选票检查页</a>或用
          <code>npm run verify -- --check 文件</code>重新计算:它应显示与您看到的完全相同的选择。记录里没有您的凭证,也没有会场。
        </p>
        <p class="flash warn">公开了种子的选票任何人都能读出,因此不会投出;本机将用新的随机数重新加密您的选择。</p>
        <ol id="check-choices"></ol>
        <p>
          检查回执码:<span id="check-receipt" class="mono"></span>
        </p>
        <div id="check-qr" class="qr" role="img" aria-label="选票检查记录二维码"></div>
        <p>
          <a id="check-download" class="button secondary big" download="ballot-check.json" href="#">
            保存检查文件
          </a>
        </p>
        <button id="reseal" type="button" class="big">
          重新加密,返回核对
        </button>
      </div>
    </>
  );
}
