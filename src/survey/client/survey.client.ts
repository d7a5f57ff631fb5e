/**
 * The respondent's device. Like the voting device: the invitation code buys a blind signature,
 * the credential is unblinded here, and the server that signed never sees it. Answers are kept
 * in localStorage as they are given, so a reload or a closed tab resumes on the same device;
 * unsent work stays until the server acknowledges it, and an identical retry counts once.
 */
import type { Credential } from '../../hearing/credential';
import { $, ApiError, obtainCredential as obtainDeviceCredential, persist as persistCall, statusLine, storage } from '../../lib/device.client';
import { allQuestions, checkResponse, type Answers, type SurveyDefinition } from '../survey.core';

interface Saved {
  code?: string;
  campaign?: string;
  survey?: string;
  publicKey?: string;
  blind?: { prepared: string; inv: string; blindedMsg: string };
  credential?: Credential;
  answers?: Answers;
  submitting?: boolean;
}

const store = storage<Saved>('sanmin-survey');
const load = (): Saved => store.load();
const save = (s: Saved) => store.save(s);
const status = statusLine('#survey-status');

const persist = <T>(path: string, body: unknown, what: string) =>
  persistCall<T>(path, body, (attempt, wait) =>
    status(`网络不稳定,${what}尚未确认,${Math.round(wait / 1000)} 秒后自动重试(第 ${attempt + 1} 次)……您的填写已保存在本设备上`, 'warn'),
  );

function show(section: 'code' | 'form' | 'done') {
  for (const id of ['code', 'form', 'done']) {
    const el = $(`#step-${id}`);
    if (el) el.hidden = id !== section;
  }
  $<HTMLElement>(`#step-${section} h2`)?.focus();
}

const obtainCredential = (s: Saved) =>
  obtainDeviceCredential(
    s,
    save,
    (blindedMsg) => persist<{ blindSig: string }>('/api/survey/redeem', { code: s.code, blindedMsg }, '领取答卷凭证'),
    (x) => delete x.code,
  );

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
    s.answers = collect(form, def);
    save(s);
    // a message already shown follows the answer: it goes once the question is right
    const shown = [...form.querySelectorAll<HTMLElement>('fieldset[data-q] .field-error:not([hidden])')].map((p) => p.closest<HTMLElement>('fieldset')!.dataset['q']!);
    if (shown.length) {
      const now = checkResponse(def, s.answers);
      const still = now.ok ? {} : Object.fromEntries(Object.entries(now.errors).filter(([k]) => shown.includes(k)));
      showErrors(form, still, false);
    }
  });
  form.addEventListener('input', () => {
    s.answers = collect(form, def);
    save(s);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    s.answers = collect(form, def);
    save(s);
    const checked = checkResponse(def, s.answers);
    if (!checked.ok) return showErrors(form, checked.errors);
    showErrors(form, {});
    void submit(s, form);
  });
}

async function submit(s: Saved, form: HTMLFormElement | null) {
  const button = form?.querySelector<HTMLButtonElement>('button[type="submit"]');
  button?.setAttribute('disabled', '');
  s.submitting = true;
  save(s);
  status('正在提交答卷……', 'warn');
  try {
    const r = await persist<{ receipt: string }>('/api/survey/respond', { campaign: s.campaign, survey: s.survey, credential: s.credential, answers: s.answers }, '答卷');
    store.clear();
    $('#receipt')!.textContent = r.receipt.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');
    status('');
    show('done');
  } catch (err) {
    button?.removeAttribute('disabled');
    delete s.submitting;
    if (err instanceof ApiError && err.status === 422 && form) {
      save(s);
      status('');
      return showErrors(form, { _form: err.message, ...err.fields });
    }
    if (err instanceof ApiError && (err.code === 'CREDENTIAL_SPENT' || err.code === 'SURVEY_NOT_OPEN')) store.clear();
    else save(s);
    status(err instanceof Error ? err.message : '提交失败,请稍后重试', 'err');
  }
}

async function start(code: string) {
  status('正在核验邀请码……', 'warn');
  try {
    const info = await persist<{ campaign: string; survey: string; publicKey: string }>('/api/survey/invitation', { code }, '核验');
    const s: Saved = { code, campaign: info.campaign, survey: info.survey, publicKey: info.publicKey };
    save(s);
    await obtainCredential(s);
    await loadForm(s);
  } catch (err) {
    store.clear();
    status(err instanceof Error ? err.message : '出现错误,请稍后重试', 'err');
    show('code');
  }
}

function init() {
  const root = $('#survey-app');
  if (!root) return;
  root.hidden = false;
  const s = load();
  const fail = (err: unknown) => status(err instanceof Error ? err.message : '出现错误', 'err');
  if (s.credential) {
    void loadForm(s).then(() => (s.submitting ? submit(s, $<HTMLFormElement>('#survey-form')) : undefined), fail);
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

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
else init();
