/**
 * The ballot-check page (/check): reads a check record from a file or from pasted text (what a
 * phone's QR reader gives), recomputes the seal here, and shows the choices it holds or why it
 * fails. No network: the page is one file, inlined into its own HTML, that works saved to disk.
 * It seals with the portable X25519 (@hpke/dhkem-x25519) on every browser, so phones whose
 * WebCrypto lacks X25519 run the same code as the one tested; HKDF and AES-GCM still need
 * WebCrypto, which browsers give only to https, localhost and file:// pages.
 */
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { useKem } from '../device-seal.core';
import { verifyCheckText } from '../check-text.core';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function el(tag: string, text?: string, cls?: string): HTMLElement {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// appendChild, not append: the Workers types this project also loads redeclare append for HTMLRewriter
function add(parent: HTMLElement, ...children: HTMLElement[]): HTMLElement {
  for (const child of children) parent.appendChild(child);
  return parent;
}

/** The first 16 hex digits in four groups, as the tablet shows the receipt. */
const grouped = (hex: string) => hex.slice(0, 16).toUpperCase().replace(/(.{4})(?=.)/g, '$1 ');

function show(nodes: HTMLElement[], kind: 'ok' | 'err' | 'busy') {
  const out = $('result');
  out.className = `result ${kind}`;
  out.textContent = ''; // not replaceChildren: older phone browsers lack it
  add(out, ...nodes);
  out.hidden = false;
  // the heading takes focus so a screen reader reads the verdict first
  const h = out.querySelector('h2');
  if (h) {
    h.tabIndex = -1;
    h.focus();
  }
}

async function check(text: string) {
  if (!globalThis.crypto?.subtle) {
    show([el('h2', '此浏览器无法验证'), el('p', '本页面需要浏览器的加密功能,只有通过 https 打开,或保存到本机后从文件打开时才可用。请换用 https 地址或保存后的页面。')], 'err');
    return;
  }
  show([el('p', '正在验证……')], 'busy');
  let v: Awaited<ReturnType<typeof verifyCheckText>>;
  try {
    v = await verifyCheckText(text);
  } catch {
    v = { ok: false, reason: '验证时出现意外错误,记录无法验证' };
  }
  if (!v.ok) {
    show([el('h2', '验证未通过'), el('p', v.reason), el('p', '请勿使用这台平板投票,立即告知会场监督员,并保留检查文件或二维码照片。')], 'err');
    return;
  }
  const list = el('ol', undefined, 'choices');
  for (const c of v.choices) {
    const li = el('li');
    add(li, el('span', `${c.department}:`, 'dept'), el('strong', c.choice));
    add(list, li);
  }
  const short = add(el('p', '回执(前 16 位):'), el('code', grouped(v.receipt), 'receipt'));
  const full = add(el('p', '完整回执:'), el('code', v.receipt, 'receipt-full'));
  show(
    [
      el('h2', '验证通过'),
      el('p', '这份密文封存的正是下列选择(按选票上的顺序)。请核对:它们应与您在平板上选的完全一致,部门的名称和顺序应与选票一致。'),
      list,
      short,
      full,
      el('p', '这张被检查的选票已经公开了种子,不会也不能计入结果:请回到平板重新填写并投票。', 'note'),
    ],
    'ok',
  );
}

function start() {
  useKem(new DhkemX25519HkdfSha256());
  const form = $<HTMLFormElement>('check-form');
  const paste = $<HTMLTextAreaElement>('record');
  const file = $<HTMLInputElement>('file');
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void check(paste.value);
  });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    // a check file is a few KB; anything far larger is not one (and would only slow the page)
    if (f.size > 64 * 1024) return show([el('h2', '验证未通过'), el('p', '这个文件太大,不是选票检查记录')], 'err');
    const text = await f.text();
    paste.value = text;
    void check(text);
  });
  $('app').hidden = false;
  $('noscript-note').hidden = true;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
