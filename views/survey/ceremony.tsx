/** The builder page's card for the key ceremony and the unsealing (seats, ceremony file, result, approvals). */
import { type CampaignView, type SurveyView, type UserView } from './parts';
import { CsrfField } from '../components/layout';

/** The seal's state as the card shows it: seats (no seat keys, no shares), the draft result, whether it is published. */
export interface SealView {
  seats: { seatNo: number; custodianName: string; custodianId: string | null; fingerprint: string | null; downloadedAt: number | null; shareWaiting: boolean }[];
  draft: { digest: string; approvedSeats: number[]; tally: { responses: number; invalid?: number | undefined } } | null | undefined;
  unsealed: boolean;
}

export function SealCard(p: { campaign: CampaignView; survey: SurveyView; user: UserView; csrfToken: string; seal: SealView; errors?: Record<string, string> | undefined }) {
  const base = `/staff/c/${p.campaign.code}/surveys/${p.survey.id}`;
  const api = `/api/campaigns/${p.campaign.code}/surveys/${p.survey.id}`;
  const draft = p.survey.state === 'draft';
  const org = p.user.role === 'organiser';
  const e = p.errors ?? {};
  return (
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
        <CsrfField token={p.csrfToken} />
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
        <CsrfField token={p.csrfToken} />
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
        <CsrfField token={p.csrfToken} />
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
            <CsrfField token={p.csrfToken} />
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
                <CsrfField token={p.csrfToken} />
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
  );
}
