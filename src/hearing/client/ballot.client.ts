/**
 * The voting device. Blinding happens here, on the device, so the server that signs never
 * sees the credential it signed. Everything needed to finish is kept in localStorage until the
 * server acknowledges it: a reload, a dropped connection or a lost response resumes, and the
 * server's idempotency (same credential, same ballot → same receipt) makes retries safe.
 */
import type { Credential } from '../credential';
import { fingerprint, keysOnList, type PublishedKeys } from '../keys.core';
import { $, obtainCredential as obtainDeviceCredential, persist as persistCall, statusLine, storage } from '../../lib/device.client';

interface Saved {
  ticket?: string;
  campaign?: string;
  group?: number;
  publicKey?: string;
  keyId?: string;
  blind?: { prepared: string; inv: string; blindedMsg: string };
  credential?: Credential;
  answers?: (number | null)[];
  receipt?: string;
  /** The fingerprints shown to the delegate, once both keys were found on the published list. */
  fingerprints?: string;
}

const store = storage<Saved>('sanmin-ballot');
const load = (): Saved => store.load();
const save = (s: Saved) => store.save(s);
const status = statusLine('#vote-status');

const persist = <T>(path: string, body: unknown, what: string) =>
  persistCall<T>(path, body, (attempt, wait) =>
    status(`网络不稳定,${what}尚未确认,${Math.round(wait / 1000)} 秒后自动重试(第 ${attempt + 1} 次)……请勿关闭页面`, 'warn'),
  );

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
    const s: Saved = { ticket, campaign: info.campaign, group: info.group, publicKey: info.publicKey, keyId: info.keyId, fingerprints };
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

function bindBallot(s: Saved) {
  const form = $<HTMLFormElement>('#ballot-form');
  if (!form) return;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const answers = collect(form);
    const review = $('#review')!;
    const labels = JSON.parse(form.dataset['options'] ?? '[]') as string[];
    const names = JSON.parse(form.dataset['names'] ?? '[]') as string[];
    review.innerHTML = '';
    const list = document.createElement('ol');
    answers.forEach((a, i) => {
      const li = document.createElement('li');
      li.textContent = `${names[i]}:${a ? labels[a - 1] : '(未填写,按空白处理)'}`;
      list.appendChild(li);
    });
    review.appendChild(list);
    $('#review-box')!.hidden = false;
    form.hidden = true;
    $<HTMLButtonElement>('#confirm')!.focus();
  });
  $('#back')?.addEventListener('click', () => {
    $('#review-box')!.hidden = true;
    form.hidden = false;
  });
  $('#confirm')?.addEventListener('click', async () => {
    s.answers = collect(form);
    save(s); // kept until acknowledged
    await submit(s);
  });
}

async function submit(s: Saved) {
  $<HTMLButtonElement>('#confirm')?.setAttribute('disabled', '');
  status('正在提交选票……', 'warn');
  try {
    const r = await persist<{ receipt: string }>('/api/ballot/cast', { campaign: s.campaign, group: s.group, credential: s.credential, answers: s.answers, keyId: s.keyId }, '选票');
    store.clear();
    $('#receipt')!.textContent = r.receipt.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
    $('#receipt-full')!.textContent = r.receipt;
    status('');
    show('done');
    // a shared venue tablet clears itself for the next delegate
    setTimeout(() => location.replace('/vote'), 90_000);
  } catch (err) {
    store.clear();
    status(err instanceof Error ? err.message : '提交失败,请联系工作人员', 'err');
    show('ticket');
  }
}

function init() {
  const root = $('#vote-app');
  if (!root) return;
  root.hidden = false;
  const s = load();
  if (s.credential && s.answers) {
    void loadBallot(s).then(() => submit(s));
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

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
