/**
 * The respondent's device, for both kinds of questionnaire. Invited (`/s`): like the voting
 * device, the invitation code buys a blind signature and the credential is unblinded here, so
 * the server that signed never sees it. Open (the discipline form): no credential.
 *
 * Either way the answers never leave the device in the clear: they are checked against the
 * definition here (the server cannot check what it cannot read), padded, and sealed with HPKE to
 * the survey's key; the receipt is the SHA-256 of the ciphertext, shown before it is sent. The
 * ciphertext is kept in localStorage until the server acknowledges it, so a retry or a reload
 * resends the same bytes (counted once); an acknowledgement naming another receipt is an alarm.
 */
import { surveyKeyOnList, type PublishedKeys } from '../../hearing/keys.core';
import { DhkemX25519HkdfSha256 as PortableX25519 } from '@hpke/dhkem-x25519';
import type { Credential } from '../../hearing/credential.core';
import { $, ApiError, obtainCredential as obtainDeviceCredential, persist as persistCall, statusLine, storage } from '../../lib/device.client';
import { IKM_LENGTH, sealWithSeed, useKem } from '../../tally/device-seal.core';
import { ballotReceipt } from '../../tally/seal.core';
import { allQuestions, checkResponse, type Answers, type SurveyDefinition } from '../survey.core';
import { encodeResponse, RESPONSE_BLOCK, responseBlockLimit, responseInfo } from '../response.core';

/** A sealed response waiting for the server's acknowledgement. */
interface Pending {
  ciphertext: string;
  receipt: string;
  sealKey: string;
}

interface Saved {
  code?: string;
  campaign?: string;
  survey?: string;
  publicKey?: string;
  sealKey?: string;
  blind?: { prepared: string; inv: string; blindedMsg: string };
  credential?: Credential;
  answers?: Answers;
  pending?: Pending;
  submitting?: boolean;
}

const store = storage<Saved>('sanmin-survey');
const load = (): Saved => store.load();
const save = (s: Saved) => store.save(s);
const status = statusLine('#survey-status');

const persist = <T>(path: string, body: unknown, what: string) =>
  persistCall<T>(path, body, (attempt, wait) =>
    status(`网络不稳定,${what}尚未确认,${Math.round(wait / 1000)} 秒后自动重试(第 ${attempt + 1} 次)……加密后的答卷已保存在本设备上`, 'warn'),
  );

// ---- sealing ----

let kemReady: Promise<void> | undefined;
/** A WebCrypto without X25519 (older tablets) gets the same suite in portable code. */
function ensureKem(): Promise<void> {
  kemReady ??= crypto.subtle.generateKey({ name: 'X25519' } as unknown as AlgorithmIdentifier, false, ['deriveBits']).then(
    () => undefined,
    () => useKem(new PortableX25519()),
  );
  return kemReady;
}

/** Refuses a seal key that is not the questionnaire's published one (so the server cannot hand one respondent a key of its own). */
async function checkSealKey(campaign: string, survey: string, sealKey: string) {
  const res = await fetch(`/c/${encodeURIComponent(campaign)}/keys.json`, { cache: 'no-store', credentials: 'omit' });
  if (!res.ok) throw new ApiError(503, 'KEYS_UNAVAILABLE', '无法取得公布的密钥清单,设备不能加密答卷:请稍后再试或联系工作人员');
  const verdict = surveyKeyOnList((await res.json()) as PublishedKeys, survey, sealKey);
  if (!verdict.ok) throw new ApiError(409, 'KEY_NOT_PUBLISHED', verdict.reason);
}

/** Checked answers → padded bytes → HPKE to the survey key with fresh randomness; the plaintext bytes are wiped. */
async function sealAnswers(campaign: string, survey: string, sealKey: string, def: SurveyDefinition, answers: Answers): Promise<Pending> {
  const bytes = encodeResponse({ v: 1, survey, answers });
  if (bytes.length / RESPONSE_BLOCK > responseBlockLimit(def, survey)) {
    bytes.fill(0);
    throw new ApiError(422, 'TOO_LONG', '答卷内容过长,请精简文字题的回答后再提交');
  }
  await ensureKem();
  await checkSealKey(campaign, survey, sealKey);
  const ciphertext = await sealWithSeed(sealKey, responseInfo(campaign, survey), bytes, crypto.getRandomValues(new Uint8Array(IKM_LENGTH)));
  bytes.fill(0);
  return { ciphertext, receipt: ballotReceipt(ciphertext), sealKey };
}

const shortReceipt = (r: string) => r.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');

function showSealed(p: Pending | undefined) {
  const box = $('#sealed');
  if (box) box.hidden = !p;
  const r = $('#sealed-receipt');
  if (r) r.textContent = p ? shortReceipt(p.receipt) : '';
}

/** The done step shows the receipt this device computed; another receipt from the server is an alarm. */
function acknowledged(p: Pending, server: { receipt: string }) {
  $('#receipt')!.textContent = shortReceipt(p.receipt);
  const full = $('#receipt-full');
  if (full) full.textContent = p.receipt;
  const alarm = $('#receipt-alert');
  if (alarm && server.receipt !== p.receipt) {
    alarm.textContent = `警告:服务器确认的回执(${shortReceipt(server.receipt)})与本设备加密后计算的回执(${shortReceipt(p.receipt)})不一致!您的答卷可能没有被如实保存。请截屏保存本页,并立即联系监督人员。`;
    alarm.hidden = false;
    const heading = $('#step-done h2');
    if (heading) heading.textContent = '请注意:服务器的确认与本设备不一致';
  }
  show('done');
}

/** The refusals after which the pending ciphertext is known not to be stored and may be sealed again. */
const RESEAL = new Set(['SEAL_KEY_CHANGED', 'INVALID_CIPHERTEXT', 'TOO_LONG']);

// ---- the form ----

function show(section: 'code' | 'form' | 'done') {
  for (const id of ['code', 'form', 'done']) {
    const el = $(`#step-${id}`);
    if (el) el.hidden = id !== section;
  }
  $<HTMLElement>(`#step-${section} h2`)?.focus();
}

const definition = (form: HTMLFormElement) => JSON.parse(form.dataset['def'] ?? '{"sections":[],"scale":[]}') as SurveyDefinition;

function collect(form: HTMLFormElement, def: SurveyDefinition): Answers {
  const out: Answers = {};
  for (const q of allQuestions(def)) {
    if (q.kind === 'text') {
      const v = (form.querySelector(`textarea[name="${q.id}"]`) as HTMLTextAreaElement | null)?.value ?? '';
      out[q.id] = v.trim() ? v : null;
    } else if (q.kind === 'multiple') {
      const v = [...form.querySelectorAll<HTMLInputElement>(`input[name="${q.id}"]:checked`)].map((i) => Number(i.value));
      out[q.id] = v.length ? v : null;
    } else {
      const v = form.querySelector<HTMLInputElement>(`input[name="${q.id}"]:checked`)?.value;
      out[q.id] = v ? Number(v) : null;
    }
  }
  return out;
}

function restore(form: HTMLFormElement, answers: Answers) {
  for (const [id, a] of Object.entries(answers)) {
    if (typeof a === 'string') {
      const t = form.querySelector<HTMLTextAreaElement>(`textarea[name="${id}"]`);
      if (t) t.value = a;
    } else if (a !== null) {
      const chosen = new Set(Array.isArray(a) ? a : [a]);
      for (const i of form.querySelectorAll<HTMLInputElement>(`input[name="${id}"]`)) i.checked = chosen.has(Number(i.value));
    }
  }
}

function showErrors(form: HTMLFormElement, errors: Record<string, string>, scroll = true) {
  for (const box of form.querySelectorAll<HTMLElement>('fieldset[data-q]')) {
    const id = box.dataset['q']!;
    const p = box.querySelector<HTMLElement>('.field-error');
    const m = errors[id];
    if (p) {
      p.textContent = m ?? '';
      p.hidden = !m;
    }
    if (m) box.setAttribute('aria-invalid', 'true');
    else box.removeAttribute('aria-invalid');
  }
  const n = Object.keys(errors).filter((k) => k !== '_form').length;
  const top = $('#form-errors');
  if (top) {
    top.textContent = errors['_form'] ?? (n ? `还有 ${n} 道题需要修改,请按提示填写` : '');
    top.hidden = !top.textContent;
  }
  const first = Object.keys(errors).find((k) => k !== '_form');
  if (first && scroll) $(`#box-${first}`)?.scrollIntoView({ block: 'center' });
}

/** While a sealed response waits, its answers cannot change: what is resent is what was sealed. */
function lock(form: HTMLFormElement, locked: boolean) {
  for (const f of form.querySelectorAll<HTMLFieldSetElement>('fieldset[data-q]')) f.disabled = locked;
}

/** A message already shown follows the answer: it goes once the question is right. */
function recheckShown(form: HTMLFormElement, def: SurveyDefinition, answers: Answers) {
  const shown = [...form.querySelectorAll<HTMLElement>('fieldset[data-q] .field-error:not([hidden])')].map((p) => p.closest<HTMLElement>('fieldset')!.dataset['q']!);
  if (!shown.length) return;
  const now = checkResponse(def, answers);
  showErrors(form, now.ok ? {} : Object.fromEntries(Object.entries(now.errors).filter(([k]) => shown.includes(k))), false);
}

// ---- invited questionnaires (/s) ----

const obtainCredential = (s: Saved) =>
  obtainDeviceCredential(
    s,
    save,
    (blindedMsg) => persist<{ blindSig: string }>('/api/survey/redeem', { code: s.code, blindedMsg }, '领取答卷凭证'),
    (x) => delete x.code,
  );

async function loadForm(s: Saved) {
  const res = await fetch(`/s/form?survey=${encodeURIComponent(s.survey!)}`);
  if (!res.ok) throw new Error(res.status === 404 ? '本问卷已经结束或不存在' : `服务器返回 ${res.status}`);
  $('#survey-form-slot')!.innerHTML = await res.text();
  show('form');
  status(s.answers ? '已恢复您上次在本设备上的填写,可以继续。' : '', 'ok');
  const form = $<HTMLFormElement>('#survey-form')!;
  const def = definition(form);
  if (s.answers) restore(form, s.answers);
  form.addEventListener('change', () => {
    if (s.pending) return;
    s.answers = collect(form, def);
    save(s);
    recheckShown(form, def, s.answers);
  });
  form.addEventListener('input', () => {
    if (s.pending) return;
    s.answers = collect(form, def);
    save(s);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!s.pending) {
      s.answers = collect(form, def);
      save(s);
      const checked = checkResponse(def, s.answers);
      if (!checked.ok) return showErrors(form, checked.errors);
    }
    showErrors(form, {});
    void submit(s, form);
  });
}

async function submit(s: Saved, form: HTMLFormElement) {
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  button?.setAttribute('disabled', '');
  s.submitting = true;
  save(s);
  try {
    if (!s.pending) {
      const def = definition(form);
      const checked = checkResponse(def, s.answers ?? {});
      if (!checked.ok) throw new ApiError(422, 'INVALID_RESPONSE', '请按提示修改后再提交', checked.errors);
      status('正在本设备上加密答卷……', 'warn');
      s.pending = await sealAnswers(s.campaign!, s.survey!, s.sealKey!, def, checked.answers);
      save(s);
    }
    lock(form, true);
    showSealed(s.pending);
    status('正在提交加密答卷……', 'warn');
    const p = s.pending;
    const r = await persist<{ receipt: string }>('/api/survey/respond', { campaign: s.campaign, survey: s.survey, credential: s.credential, ciphertext: p.ciphertext, sealKey: p.sealKey }, '答卷');
    store.clear();
    status('');
    acknowledged(p, r);
  } catch (err) {
    button?.removeAttribute('disabled');
    delete s.submitting;
    const code = err instanceof ApiError ? err.code : '';
    if (err instanceof ApiError && RESEAL.has(code)) {
      // nothing was stored: the next submit seals again (to the key the server names, which is public)
      if (err.fields['sealKey']) s.sealKey = err.fields['sealKey'];
      delete s.pending;
      lock(form, false);
      showSealed(undefined);
    }
    if (code === 'INVALID_RESPONSE') {
      save(s);
      status('');
      return showErrors(form, (err as ApiError).fields);
    }
    if (['CREDENTIAL_SPENT', 'SURVEY_NOT_OPEN', 'CIPHERTEXT_REPLAYED', 'INVALID_CREDENTIAL'].includes(code)) store.clear();
    else save(s);
    const message = err instanceof Error ? err.message : '提交失败,请稍后重试';
    // a copied ciphertext means someone else had this device's sealed answers: say so where it is announced
    if (code === 'CIPHERTEXT_REPLAYED') showErrors(form, { _form: `警告:${message}` }, false);
    status(message, 'err');
  }
}

async function start(code: string) {
  status('正在核验邀请码……', 'warn');
  try {
    const info = await persist<{ campaign: string; survey: string; publicKey: string; sealKey: string | null }>('/api/survey/invitation', { code }, '核验');
    if (!info.sealKey) throw new Error('本问卷没有加密公钥,不能作答;请联系工作人员');
    const s: Saved = { code, campaign: info.campaign, survey: info.survey, publicKey: info.publicKey, sealKey: info.sealKey };
    save(s);
    await obtainCredential(s);
    await loadForm(s);
  } catch (err) {
    store.clear();
    status(err instanceof Error ? err.message : '出现错误,请稍后重试', 'err');
    show('code');
  }
}

function initInvited(root: HTMLElement) {
  root.hidden = false;
  const s = load();
  const fail = (err: unknown) => status(err instanceof Error ? err.message : '出现错误', 'err');
  if (s.credential) {
    // a reload while a sealed response waits resends the very same ciphertext
    void loadForm(s).then(() => (s.submitting || s.pending ? submit(s, $<HTMLFormElement>('#survey-form')!) : undefined), fail);
  } else if (s.code && s.publicKey) {
    void obtainCredential(s).then(() => loadForm(s), fail);
  } else {
    show('code');
  }
  $<HTMLFormElement>('#code-form')?.addEventListener('submit', (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('#code')!;
    const code = input.value.trim();
    if (!code) return status('请输入邀请码', 'err');
    input.value = '';
    void start(code);
  });
  // a personal link carries the code in the fragment, which never reaches the server's logs
  const m = /[#&]t=([A-Za-z0-9-]+)/.exec(location.hash);
  if (m && !s.credential) {
    history.replaceState(null, '', location.pathname);
    void start(m[1]!);
  }
}

// ---- open questionnaires (the discipline form) ----

interface OpenSaved {
  survey?: string;
  pending?: Pending;
}
const openStore = storage<OpenSaved>('sanmin-open-survey');

function initOpen(form: HTMLFormElement) {
  const def = definition(form);
  const campaign = form.dataset['campaign']!;
  const survey = form.dataset['survey']!;
  const saved = openStore.load();
  const s: OpenSaved = saved.survey === survey ? saved : {};
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  button.disabled = false; // the script is here: the form may be sent, sealed

  const send = async () => {
    const p = s.pending!;
    button.disabled = true;
    lock(form, true);
    showSealed(p);
    status('正在提交加密后的反映……', 'warn');
    try {
      const r = await persist<{ receipt: string }>('/api/survey/respond-open', { campaign, survey, ciphertext: p.ciphertext, sealKey: p.sealKey }, '反映');
      openStore.clear();
      status('');
      acknowledged(p, r);
    } catch (err) {
      button.disabled = false;
      const code = err instanceof ApiError ? err.code : '';
      if (err instanceof ApiError && RESEAL.has(code)) {
        if (err.fields['sealKey']) form.dataset['sealKey'] = err.fields['sealKey'];
        delete s.pending;
        lock(form, false);
        showSealed(undefined);
      }
      if (code === 'SURVEY_NOT_OPEN') delete s.pending;
      if (s.pending) openStore.save(s);
      else openStore.clear();
      status(err instanceof Error ? err.message : '提交失败,请稍后重试', 'err');
    }
  };

  form.addEventListener('change', () => recheckShown(form, def, collect(form, def)));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (s.pending) return void send();
    const checked = checkResponse(def, collect(form, def));
    if (!checked.ok) return showErrors(form, checked.errors);
    showErrors(form, {});
    button.disabled = true;
    status('正在本设备上加密……', 'warn');
    sealAnswers(campaign, survey, form.dataset['sealKey']!, def, checked.answers).then(
      (p) => {
        s.survey = survey;
        s.pending = p;
        openStore.save(s);
        return send();
      },
      (err: unknown) => {
        button.disabled = false;
        status(err instanceof Error ? err.message : '加密失败,请稍后重试', 'err');
      },
    );
  });
  if (s.pending) {
    // the page was reloaded while a sealed report waited: the same ciphertext goes again
    status('正在重新发送您上次在本设备上加密的反映……', 'warn');
    void send();
  }
}

function init() {
  const root = $('#survey-app');
  if (root) return initInvited(root);
  const open = $<HTMLFormElement>('#open-survey-form');
  if (open) initOpen(open);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
