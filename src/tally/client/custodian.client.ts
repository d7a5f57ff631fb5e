/**
 * The custodians' part of the staff tally pages (/static/custodian.js), in the custodian's own
 * browser: the seat key from a passphrase or a key file (scrypt, the CLI's parameters), and the
 * unsealing table (open k sealed shares, rebuild the key, check the ballots against the
 * commitment, decrypt in chunks with progress, preview, post the public result).
 *
 * Nothing secret is stored: no localStorage, sessionStorage, IndexedDB or cookie; passphrase
 * fields are cleared and key bytes zeroed after use, and only public keys and the public result
 * are sent. A reload drops everything and starts clean.
 */
import { openSealedShare, type SealedShareFile, type ShareFile } from '../ceremony.core';
import type { GroupCommitment } from '../commitment.core';
import { newSeatKeyFile, SeatKeyError, seatKeyFromFile, seatKeyFromPassphrase, type SeatKeyPair } from '../seat-key.core';
import { UnsealError, type BallotsFile } from '../unseal.core';
import { unsealInPage } from './unseal-run.client';
import type { PublishedResult } from '../verify.core';

const q = <T extends Element>(root: { querySelector(sel: string): Element | null }, sel: string) => root.querySelector(sel) as T;

function say(out: HTMLElement | null, text: string, kind: 'ok' | 'err' | 'busy' = 'ok') {
  if (!out) return;
  out.textContent = text;
  out.className = `status ${kind}`;
  out.setAttribute('aria-busy', kind === 'busy' ? 'true' : 'false');
}

/** Lets the page paint "正在计算" before scrypt takes the thread for about a second. */
const paint = () => new Promise<void>((r) => setTimeout(r, 30));

const reason = (err: unknown) => (err instanceof SeatKeyError || err instanceof UnsealError || (err as { code?: string })?.code ? (err as Error).message : '出现意外错误,请重试或改用命令行工具');

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function readFile(input: HTMLInputElement, limit = 64 * 1024): Promise<string | null> {
  const f = input.files?.[0];
  if (!f) return null;
  if (f.size > limit) throw new SeatKeyError('FILE_TOO_LARGE', '这个文件太大,不是所需的文件');
  return f.text();
}

/** The seat key from whichever the custodian gave: a key file, else the passphrase (cleared here). */
async function seatKeyOf(passphrase: HTMLInputElement, keyFile: HTMLInputElement, campaign: string, group: number, seat: number): Promise<SeatKeyPair> {
  const file = await readFile(keyFile);
  if (file !== null) {
    keyFile.value = '';
    return seatKeyFromFile(file, campaign, group, seat);
  }
  const p = passphrase.value;
  passphrase.value = '';
  if (!p) throw new SeatKeyError('SEAT_KEY_MISSING', '请输入口令,或打开密钥文件');
  return seatKeyFromPassphrase(p, campaign, group, seat);
}

// ---- joining a seat (the staff tally page) ----

function seatKeyTool(form: HTMLFormElement) {
  const tool = q<HTMLElement>(form, '[data-seat-key-tool]');
  const campaign = form.dataset['campaign']!;
  const group = Number(form.dataset['group']);
  const seatInput = q<HTMLInputElement>(form, 'input[name="seat"]');
  const keyInput = q<HTMLInputElement>(form, 'input[name="seatKey"]');
  const passphrase = q<HTMLInputElement>(tool, '[data-passphrase]');
  const keyFile = q<HTMLInputElement>(tool, '[data-key-file]');
  const out = q<HTMLElement>(tool, '[data-status]');
  const submit = q<HTMLButtonElement>(form, 'button[type="submit"]');
  const seat = () => (/^\d{1,2}$/.test(seatInput.value) ? Number(seatInput.value) : NaN);
  // the salt binds the seat: a key computed for another seat number is not this seat's
  seatInput.addEventListener('input', () => (keyInput.value = ''));
  const done = (publicKey: string, how: string) => {
    keyInput.value = publicKey;
    say(out, `${how}席位公钥 ${publicKey.slice(0, 12)}…(只有公钥会提交)。请按“${submit.textContent}”提交。`);
    submit.focus();
  };
  const needSeat = () => {
    if (Number.isInteger(seat()) && seat() >= 1) return true;
    say(out, '请先填写席位号:口令算出的公钥与席位绑定', 'err');
    seatInput.focus();
    return false;
  };
  const busy = (on: boolean) => tool.querySelectorAll('button, input').forEach((e) => ((e as HTMLButtonElement).disabled = on));
  q<HTMLButtonElement>(tool, '[data-derive]').addEventListener('click', async () => {
    if (!needSeat()) return;
    busy(true);
    say(out, '正在计算席位公钥……(约 1 秒)', 'busy');
    await paint();
    try {
      const pair = await seatKeyOf(passphrase, keyFile, campaign, group, seat());
      pair.privateKey.fill(0);
      done(pair.publicKey, '已算出');
    } catch (err) {
      say(out, reason(err), 'err');
    } finally {
      busy(false);
    }
  });
  q<HTMLButtonElement>(tool, '[data-new-key-file]').addEventListener('click', async () => {
    if (!needSeat()) return;
    const file = await newSeatKeyFile(campaign, group, seat());
    download(`seat-key-${campaign}-group${group}-seat${seat()}.json`, JSON.stringify(file, null, 2) + '\n');
    done(file.publicKey, '已生成密钥文件并开始下载:请把它保存到只有您掌握的 U 盘上(丢失即无法打开分片)。');
    file.ikm = '';
  });
  tool.hidden = false;
}

// ---- the unsealing table ----

interface Opened {
  seat: number;
  share: ShareFile;
}

function unsealPage(root: HTMLElement) {
  const d = root.dataset;
  const campaign = d['campaign']!;
  const group = Number(d['group']);
  const threshold = Number(d['threshold']);
  const published = JSON.parse(d['seats']!) as { seat: number; fingerprint: string | null }[];
  const slots = q<HTMLElement>(root, '#share-slots');
  const template = q<HTMLTemplateElement>(root, '#share-slot');
  const status = q<HTMLElement>(root, '#unseal-status');
  const bar = q<HTMLProgressElement>(root, '#unseal-progress');
  const preview = q<HTMLElement>(root, '#unseal-preview');
  const start = q<HTMLButtonElement>(root, '#unseal-start');
  const opened = new Map<HTMLElement, Opened>();
  let result: PublishedResult | null = null;
  let audit: PublishedResult | null = null;

  const addSlot = () => {
    const n = slots.children.length + 1;
    const frag = template.content.cloneNode(true) as DocumentFragment;
    const slot = frag.firstElementChild as HTMLElement;
    slot.querySelectorAll('[data-n]').forEach((e) => (e.textContent = String(n)));
    // ids unique per slot, so each label names its own field
    slot.querySelectorAll<HTMLElement>('[id]').forEach((e) => (e.id = `${e.id}-${n}`));
    slot.querySelectorAll<HTMLLabelElement>('label[for]').forEach((l) => (l.htmlFor = `${l.htmlFor}-${n}`));
    slots.appendChild(slot);
    const sealedInput = q<HTMLInputElement>(slot, '[data-sealed]');
    const passphrase = q<HTMLInputElement>(slot, '[data-passphrase]');
    const keyFile = q<HTMLInputElement>(slot, '[data-key-file]');
    const out = q<HTMLElement>(slot, '[data-status]');
    const button = q<HTMLButtonElement>(slot, '[data-open]');
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const text = await readFile(sealedInput, 16 * 1024);
        if (text === null) throw new SeatKeyError('FILE_MISSING', '请先选择这位保管人的封存分片文件');
        let sealed: SealedShareFile;
        try {
          sealed = JSON.parse(text) as SealedShareFile;
        } catch {
          throw new SeatKeyError('SEALED_SHARE_UNREADABLE', '这不是三民封存分片文件');
        }
        if (sealed?.kind !== 'sanmin-tally-sealed-share') throw new SeatKeyError('SEALED_SHARE_UNREADABLE', '这不是三民封存分片文件');
        if (sealed.campaign !== campaign || sealed.group !== group) throw new SeatKeyError('SHARE_OTHER_GROUP', `这是 ${String(sealed.campaign)} 第 ${String(sealed.group)} 组的分片,不是本组的`);
        if ([...opened.values()].some((o) => o.seat === sealed.seat)) throw new SeatKeyError('SEAT_TWICE', `第 ${sealed.seat} 席的分片已经打开过了:每席只算一份`);
        say(out, '正在计算席位密钥并打开分片……(约 1 秒)', 'busy');
        await paint();
        const pair = await seatKeyOf(passphrase, keyFile, campaign, group, sealed.seat);
        let share: ShareFile;
        try {
          share = await openSealedShare(sealed, pair.privateKey);
        } finally {
          pair.privateKey.fill(0);
        }
        const pub = published.find((p) => p.seat === share.seat)?.fingerprint;
        if (pub !== share.fingerprint) throw new SeatKeyError('FINGERPRINT_MISMATCH', `第 ${share.seat} 席的分片与本页公示的分片指纹不符:请联系监督人员`);
        opened.set(slot, { seat: share.seat, share });
        sealedInput.disabled = passphrase.disabled = keyFile.disabled = true;
        say(out, `第 ${share.seat} 席的分片已打开,指纹 ${share.fingerprint.slice(0, 16)}… 与公示的一致`);
        slot.dataset['opened'] = String(share.seat);
      } catch (err) {
        say(out, reason(err), 'err');
        button.disabled = false;
      }
    });
  };
  for (let i = 0; i < threshold; i++) addSlot();
  const more = q<HTMLButtonElement>(root, '#add-slot');
  more.addEventListener('click', () => {
    addSlot();
    if (slots.children.length >= Number(d['shareCount'])) more.hidden = true;
  });

  const getJson = async (url: string) => {
    const res = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    if (!res.ok) throw new UnsealError('FETCH_FAILED', body?.error?.message ?? `无法下载 ${url}(${res.status})`);
    return body;
  };

  start.addEventListener('click', async () => {
    start.disabled = true;
    preview.hidden = true;
    result = audit = null;
    try {
      say(status, '正在下载承诺文件和已承诺选票……', 'busy');
      const [commitment, ballots] = (await Promise.all([getJson(d['commitment']!), getJson(d['ballots']!)])) as [GroupCommitment, BallotsFile];
      bar.max = Math.max(1, ballots.ballots?.length ?? 1);
      bar.value = 0;
      bar.hidden = false;
      say(status, '正在核对选票与承诺、恢复密钥……', 'busy');
      await paint();
      const shares = [...opened.values()].map((o) => JSON.stringify(o.share));
      const out = await unsealInPage(commitment, ballots, shares, (done, total) => {
        bar.value = done;
        say(status, `正在开封:已打开 ${done} / ${total} 张`, 'busy');
      });
      result = out.result;
      audit = out.auditEdition;
      say(status, `开封完成:${result.ballots.length} 张选票已打开(第 ${out.seats.join('、')} 席的分片),请核对下面的预览`);
      showPreview(result);
    } catch (err) {
      bar.hidden = true;
      say(status, `未能开封:${reason(err)}`, 'err');
    } finally {
      start.disabled = false;
    }
  });

  const checked = q<HTMLInputElement>(root, '#preview-checked');
  const post = q<HTMLButtonElement>(root, '#post-result');
  const postOut = q<HTMLElement>(root, '#post-status');
  checked.addEventListener('change', () => (post.disabled = !checked.checked));

  function showPreview(r: PublishedResult) {
    const table = q<HTMLTableElement>(preview, 'table');
    table.textContent = '';
    const head = table.createTHead().insertRow();
    for (const t of ['部门', ...r.tally.scale.map((o) => o.label), '满意率', '加权得分', '排名']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = t;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const dep of r.tally.departments) {
      const row = body.insertRow();
      const cells = [dep.name, ...dep.counts.map(String), dep.satisfactionRate === null ? '—' : `${dep.satisfactionRate.toFixed(2)}%`, dep.score === null ? '—' : dep.score.toFixed(2), dep.rank === null ? '—' : String(dep.rank)];
      for (const c of cells) row.insertCell().textContent = c;
    }
    q<HTMLElement>(preview, '#preview-summary').textContent = `共 ${r.tally.ballots.total} 张选票,计入 ${r.tally.ballots.counted} 张,无效 ${r.tally.ballots.invalid} 张,空白 ${r.tally.ballots.blank} 张;根摘要 ${r.commitment.root.slice(0, 16)}…`;
    checked.checked = false;
    post.disabled = true;
    postOut.textContent = '';
    preview.hidden = false;
  }

  q<HTMLButtonElement>(root, '#save-result').addEventListener('click', () => result && download(`result-${campaign}-group${group}.json`, JSON.stringify(result, null, 2) + '\n'));
  q<HTMLButtonElement>(root, '#save-audit').addEventListener('click', () => audit && download(`audit-${campaign}-group${group}.json`, JSON.stringify(audit, null, 2) + '\n'));

  post.addEventListener('click', async () => {
    if (!result || !checked.checked) return;
    post.disabled = true;
    say(postOut, '正在提交开封结果……', 'busy');
    try {
      const res = await fetch(d['result']!, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': d['csrf']! },
        body: JSON.stringify(result),
      });
      const body = (await res.json().catch(() => null)) as { digest?: string; error?: { message?: string } } | null;
      if (!res.ok) throw new UnsealError('POST_FAILED', body?.error?.message ?? `服务器拒绝了结果(${res.status})`);
      say(postOut, `服务器已核对并接收结果(摘要 ${body?.digest?.slice(0, 16)}…)。请到场的每位保管人登录后,在“开封计票”页面核对摘要并确认;第 ${threshold} 位确认时结果公布。`);
      // the opened shares are no longer needed here: drop them (a new unsealing means opening them again)
      opened.clear();
      slots.querySelectorAll<HTMLElement>('[data-status]').forEach((o) => say(o, '本页面已不再保留此分片'));
      start.disabled = true;
      const link = q<HTMLAnchorElement>(root, '#after-post');
      link.hidden = false;
      link.focus();
    } catch (err) {
      say(postOut, reason(err), 'err');
      post.disabled = false;
    }
  });
  root.hidden = false;
}

function startAll() {
  document.querySelectorAll<HTMLFormElement>('form[data-seat-key-form]').forEach(seatKeyTool);
  const u = document.getElementById('unseal-app');
  if (u) unsealPage(u);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startAll);
else startAll();
