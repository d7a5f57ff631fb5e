/**
 * The voting device. Blinding happens here, so the server that signs never sees the credential
 * it signed; sealing happens here, so the server never sees a choice: the ballot is sealed
 * (HPKE, RFC 9180) to the group's tally key, checked against the published list, and its
 * receipt shown before the delegate chooses between 投出 and 检查这张选票 (Benaloh: the seed is
 * revealed, the ciphertext discarded and the choices sealed afresh). What is being cast is kept
 * in localStorage until the server acknowledges it: a reload, a dropped connection or a lost
 * response resends the very same ciphertext, so one ballot has one receipt; while it is pending
 * the ballot is frozen on screen.
 */
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import type { Credential } from '../credential.core';
import { ballotProblem } from '../hearing.core';
import { fingerprint, keysOnList, type PublishedKeys } from '../keys.core';
import { checkRecord, sealOnDevice, useKem, type SealedBallot } from '../../tally/device-seal.core';
import { ballotShapeDigest } from '../../tally/seal.core';
import { checkQrSvg } from '../../lib/qr';
import { $, ApiError, obtainCredential as obtainDeviceCredential, persist as persistCall, statusLine, storage } from '../../lib/device.client';

interface Saved {
  ticket?: string;
  campaign?: string;
  group?: number;
  publicKey?: string;
  keyId?: string;
  blind?: { prepared: string; inv: string; blindedMsg: string };
  credential?: Credential;
  /** The group's tally key the device checked against the published list. */
  tallyKey?: string;
  /** Set when the delegate pressed 投出: exactly what is sent, and resent, until acknowledged. */
  pending?: { answers: (number | null)[]; ciphertext: string; receipt: string; tallyKey: string };
  /** The fingerprints shown to the delegate, once both keys were found on the published list. */
  fingerprints?: string;
}

const store = storage<Saved>('sanmin-ballot');
const load = (): Saved => store.load();
const save = (s: Saved) => store.save(s);
const topStatus = statusLine('#vote-status');
// beside the frozen ballot's buttons too: on a tablet the top of the page is scrolled away by then
const reviewStatus = statusLine('#review-status');
const status = (text: string, kind?: 'ok' | 'err' | 'warn') => {
  topStatus(text, kind);
  reviewStatus(text, kind);
};

const persist = <T>(path: string, body: unknown, what: string) =>
  persistCall<T>(path, body, (attempt, wait) =>
    status(`网络不稳定,${what}尚未确认,${Math.round(wait / 1000)} 秒后自动重试(第 ${attempt + 1} 次)……请勿关闭页面`, 'warn'),
  );

/** Tablets whose WebCrypto lacks X25519 seal with the portable implementation of the same KEM. */
async function chooseKem() {
  try {
    await crypto.subtle.generateKey({ name: 'X25519' } as unknown as AlgorithmIdentifier, false, ['deriveBits']);
  } catch {
    useKem(new DhkemX25519HkdfSha256());
  }
}

/** Receipts are shown as their first 16 hex digits in groups of four. */
const shortReceipt = (r: string) => r.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');

function show(section: 'ticket' | 'ballot' | 'done') {
  for (const id of ['ticket', 'ballot', 'done']) {
    const el = $(`#step-${id}`);
    if (el) el.hidden = id !== section;
  }
  const focus = $(`#step-${section} h2`);
  focus?.focus();
}

const obtainCredential = (s: Saved) =>
  obtainDeviceCredential(
    s,
    save,
    (blindedMsg) => persist<{ blindSig: string }>('/api/ballot/redeem', { ticket: s.ticket, blindedMsg }, '领取凭证'),
    (x) => delete x.ticket,
  );

/**
 * Refuses keys that are not on the published list (so the server cannot hand this delegate a key
 * of their own) and returns the fingerprints to compare with the venue poster.
 */
async function checkKeys(campaign: string, group: number, venueKey: string, tallyKey: string | null): Promise<string> {
  const res = await fetch(`/c/${encodeURIComponent(campaign)}/keys.json`, { cache: 'no-store' });
  if (!res.ok) throw new Error('无法取得公布的密钥清单,设备不能继续:请联系工作人员');
  const list = (await res.json()) as PublishedKeys & { listFingerprint: string };
  const verdict = tallyKey ? keysOnList(list, group, venueKey, tallyKey) : { ok: false as const, reason: '该组没有计票公钥,不能投票' };
  if (!verdict.ok) throw new Error(verdict.reason);
  return `请与会场海报核对密钥指纹 — 会场签名密钥:${fingerprint(venueKey, 'venue')};计票公钥:${fingerprint(tallyKey!, 'tally')};清单:${list.listFingerprint}`;
}

async function loadBallot(s: Saved) {
  const res = await fetch(`/vote/ballot?campaign=${encodeURIComponent(s.campaign!)}&group=${s.group}`);
  $('#ballot-form-slot')!.innerHTML = await res.text();
  const fp = $('#key-fingerprints');
  if (fp) fp.textContent = s.fingerprints ?? '';
  show('ballot');
  status('');
  bindBallot(s);
}

async function start(ticket: string) {
  status('正在核验凭证码……', 'warn');
  try {
    const info = await persist<{ campaign: string; group: number; publicKey: string; keyId: string; tallyPublicKey: string | null }>('/api/ballot/ticket', { ticket }, '核验');
    const fingerprints = await checkKeys(info.campaign, info.group, info.publicKey, info.tallyPublicKey);
    const s: Saved = { ticket, campaign: info.campaign, group: info.group, publicKey: info.publicKey, keyId: info.keyId, tallyKey: info.tallyPublicKey!, fingerprints };
    save(s);
    await obtainCredential(s);
    await loadBallot(s);
  } catch (err) {
    store.clear();
    status(err instanceof Error ? err.message : '出现错误,请联系工作人员', 'err');
  }
}

function collect(form: HTMLFormElement): (number | null)[] {
  const n = Number(form.dataset['departments']);
  return Array.from({ length: n }, (_, i) => {
    const v = (form.elements.namedItem(`d${i}`) as RadioNodeList | null)?.value;
    return v ? Number(v) : null;
  });
}

interface BallotView {
  form: HTMLFormElement;
  names: string[];
  labels: string[];
}

function ballotView(): BallotView | undefined {
  const form = $<HTMLFormElement>('#ballot-form');
  if (!form) return undefined;
  return { form, names: JSON.parse(form.dataset['names'] ?? '[]') as string[], labels: JSON.parse(form.dataset['options'] ?? '[]') as string[] };
}

const choiceText = (v: BallotView, a: number | null) => (a ? v.labels[a - 1]! : '(未填写,按空白处理)');

function list(target: HTMLElement, items: string[]) {
  target.innerHTML = '';
  const ol = document.createElement('ol');
  for (const text of items) {
    const li = document.createElement('li');
    li.textContent = text;
    ol.appendChild(li);
  }
  target.appendChild(ol);
}

/** The review: the choices, the receipt of the ciphertext that holds them, and the three ways on. */
function showReview(v: BallotView, answers: (number | null)[], receipt: string, frozen: boolean) {
  list($('#review')!, answers.map((a, i) => `${v.names[i]}:${choiceText(v, a)}`));
  $('#pending-receipt')!.textContent = shortReceipt(receipt);
  $('#pending-receipt')!.title = receipt;
  v.form.hidden = true;
  $('#check-box')!.hidden = true;
  $('#review-box')!.hidden = false;
  freeze(frozen);
}

/** While a ballot is being submitted nothing on it can change: no 返回修改, no 检查. */
function freeze(frozen: boolean) {
  const back = $<HTMLButtonElement>('#back')!;
  const check = $<HTMLButtonElement>('#check')!;
  const confirm = $<HTMLButtonElement>('#confirm')!;
  back.hidden = frozen;
  check.hidden = frozen;
  back.disabled = frozen;
  check.disabled = frozen;
  confirm.disabled = frozen;
  confirm.textContent = frozen ? (confirm.dataset['busy'] ?? '正在投出……') : '投出';
  confirm.setAttribute('aria-busy', String(frozen));
}

function bindBallot(s: Saved) {
  const v = ballotView();
  if (!v) return;
  // the sealed ballot on screen; its seed stays in memory only, never in storage
  let sealed: { answers: (number | null)[]; ballot: SealedBallot } | undefined;
  const shape = ballotShapeDigest(v.names, v.labels);
  const content = (answers: (number | null)[]) => ({ v: 1 as const, campaign: s.campaign!, group: s.group!, shape, answers });
  const seal = async (answers: (number | null)[]) => {
    const problem = ballotProblem(answers, v.names.length, v.labels.length);
    if (problem) throw new Error(problem);
    sealed = { answers, ballot: await sealOnDevice(s.tallyKey!, content(answers)) };
    showReview(v, answers, sealed.ballot.receipt, false);
    $('#review-box h3')?.focus();
  };
  v.form.addEventListener('submit', (e) => {
    e.preventDefault();
    status('正在本机加密选票……', 'warn');
    seal(collect(v.form)).then(
      () => status(''),
      (err: Error) => status(err.message, 'err'),
    );
  });
  $('#back')?.addEventListener('click', () => {
    if (sealed) sealed.ballot.ikmE.fill(0);
    sealed = undefined;
    $('#review-box')!.hidden = true;
    v.form.hidden = false;
  });
  $('#check')?.addEventListener('click', () => {
    if (!sealed) return;
    const record = checkRecord(s.tallyKey!, content(sealed.answers), sealed.ballot, v.names, v.labels);
    const text = JSON.stringify(record);
    list($('#check-choices')!, sealed.answers.map((a, i) => `${v.names[i]}:${a ? v.labels[a - 1]! : '(空白)'}`));
    $('#check-receipt')!.textContent = record.receipt;
    $('#check-qr')!.innerHTML = checkQrSvg(record); // the compact text: receipt in place of the ciphertext
    const link = $<HTMLAnchorElement>('#check-download')!;
    link.href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    link.download = `ballot-check-${record.receipt.slice(0, 8)}.json`;
    // revealed: this ciphertext can never be cast
    sealed = { answers: sealed.answers, ballot: { ...sealed.ballot, ciphertext: '', receipt: '' } };
    $('#review-box')!.hidden = true;
    $('#check-box')!.hidden = false;
    $('#check-box h3')?.focus();
  });
  $('#reseal')?.addEventListener('click', () => {
    const answers = sealed?.answers ?? collect(v.form);
    status('正在用新的随机数重新加密……', 'warn');
    seal(answers).then(
      () => status('已重新加密:回执码已更换,请再次核对后投出,或再检查一次', 'ok'),
      (err: Error) => status(err.message, 'err'),
    );
  });
  $('#confirm')?.addEventListener('click', async () => {
    if (!sealed?.ballot.ciphertext) return;
    const { answers, ballot } = sealed;
    ballot.ikmE.fill(0); // cast, never to be revealed
    s.pending = { answers, ciphertext: ballot.ciphertext, receipt: ballot.receipt, tallyKey: s.tallyKey! };
    save(s); // kept until acknowledged: a reload resends this very ciphertext
    sealed = undefined;
    await submit(s, v);
  });
}

async function submit(s: Saved, v: BallotView) {
  const p = s.pending!;
  showReview(v, p.answers, p.receipt, true);
  status('正在提交选票……请勿关闭页面', 'warn');
  try {
    const r = await persist<{ receipt: string }>('/api/ballot/cast', { campaign: s.campaign, group: s.group, credential: s.credential, ciphertext: p.ciphertext, tallyKey: p.tallyKey, keyId: s.keyId }, '选票');
    store.clear();
    $('#receipt')!.textContent = shortReceipt(p.receipt);
    $('#receipt-full')!.textContent = p.receipt;
    status('');
    show('done');
    if (r.receipt !== p.receipt) {
      const alarm = $('#receipt-mismatch')!;
      alarm.textContent = `警告:服务器确认的回执(${shortReceipt(r.receipt)})与本机加密时计算的回执(${shortReceipt(p.receipt)})不同!您的选票可能未被如实接收。请不要离开,立即告知监督员并保留本屏幕。`;
      alarm.hidden = false;
      alarm.focus();
      return; // no automatic reset: the screen is evidence
    }
    // a shared venue tablet clears itself for the next delegate
    setTimeout(() => location.replace('/vote'), 90_000);
  } catch (err) {
    if (err instanceof ApiError && err.code === 'TALLY_KEY_CHANGED') return resealAfterKeyChange(s, v, err);
    store.clear();
    status(err instanceof Error ? err.message : '提交失败,请联系工作人员', 'err');
    show('ticket');
  }
}

/** The group's key was replaced before any ballot (a repeated ceremony): check the new one against the list, seal again, ask again. */
async function resealAfterKeyChange(s: Saved, v: BallotView, err: ApiError) {
  try {
    const fresh = err.fields['tallyPublicKey'] ?? null;
    s.fingerprints = await checkKeys(s.campaign!, s.group!, s.publicKey!, fresh);
    s.tallyKey = fresh!;
    delete s.pending;
    save(s);
    const fp = $('#key-fingerprints');
    if (fp) fp.textContent = s.fingerprints;
    v.form.hidden = false;
    $('#review-box')!.hidden = true;
    freeze(false);
    status('本组计票公钥已更换(密钥仪式重新举行)。新公钥在公布的清单上,选票尚未投出:请再次核对您的选择并投出', 'warn');
  } catch (e) {
    store.clear();
    status(e instanceof Error ? e.message : '计票公钥无法核对,请联系工作人员', 'err');
    show('ticket');
  }
}

async function init() {
  const root = $('#vote-app');
  if (!root) return;
  await chooseKem();
  root.hidden = false;
  const s = load();
  if (s.credential && s.pending) {
    void loadBallot(s).then(() => submit(s, ballotView()!));
  } else if (s.credential) {
    void loadBallot(s);
  } else if (s.ticket && s.publicKey) {
    void obtainCredential(s).then(() => loadBallot(s), (err: Error) => status(err.message, 'err'));
  } else {
    show('ticket');
  }
  $<HTMLFormElement>('#ticket-form')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('#ticket')!;
    const ticket = input.value.trim();
    if (!ticket) return status('请输入工作人员给您的凭证码', 'err');
    input.value = '';
    void start(ticket);
  });
  $('#next-voter')?.addEventListener('click', () => {
    store.clear();
    location.replace('/vote');
  });
  // a personal link carries the ticket in the fragment, which never reaches the server's logs
  const m = /[#&]t=([A-Za-z0-9-]+)/.exec(location.hash);
  if (m && !s.credential) {
    history.replaceState(null, '', location.pathname);
    void start(m[1]!);
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => void init());
else void init();
