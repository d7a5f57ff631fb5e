/**
 * The key ceremony page (/ceremony): one self-contained file, loaded and then the network cut.
 * Reads the seats file (GET …/tally/seats, downloaded beforehand), runs runCeremonyCore here (a
 * fresh group key, split k of n, each share sealed to its seat key, key and shares zeroed), shows
 * the printable record and saves the ceremony file the statistician uploads. It makes no request:
 * its policy forbids any (connect-src 'none'), and it keeps nothing in browser storage.
 */
import { runCeremonyCore, seatsDocumentProblem, type CeremonyFile, type SeatsDocument } from '../ceremony.core';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const groups = (hex: string) => hex.match(/.{1,8}/g)!.join(' ');

function say(text: string, kind: 'ok' | 'err' | 'busy') {
  const s = $('status');
  s.textContent = text;
  s.className = `status ${kind}`;
}

function row(body: HTMLElement, cells: string[], codeAt: number[] = []) {
  const tr = document.createElement('tr');
  cells.forEach((c, i) => {
    const td = document.createElement('td');
    if (codeAt.includes(i)) {
      const code = document.createElement('code');
      code.textContent = c;
      td.appendChild(code);
    } else td.textContent = c;
    tr.appendChild(td);
  });
  body.appendChild(tr);
  return tr;
}

let seats: SeatsDocument | null = null;
let made: CeremonyFile | null = null;

async function openSeats(file: File) {
  seats = null;
  $('seats').hidden = true;
  $('record').hidden = true;
  $<HTMLButtonElement>('run').disabled = true;
  if (file.size > 256 * 1024) return say('这个文件太大,不是席位文件', 'err');
  let doc: unknown;
  try {
    doc = JSON.parse(await file.text());
  } catch {
    return say('这不是三民席位文件(seats.json)', 'err');
  }
  const problem = seatsDocumentProblem(doc);
  if (problem) return say(`席位文件不能用于仪式:${problem}`, 'err');
  seats = doc as SeatsDocument;
  $('seats-summary').textContent = `评议活动 ${seats.campaign},第 ${seats.group} 组,门限 ${seats.threshold} / ${seats.shareCount}${seats.replaces ? `;将替换现有公钥 ${seats.replaces.slice(0, 12)}…(本组尚无选票时才可替换)` : ''}`;
  const body = $('seats-body');
  body.textContent = '';
  for (const s of seats.seats) {
    // each custodian is ticked in person, so the record says who was there
    const tr = row(body, [String(s.seat), s.custodian, s.seatKey, ''], [2]);
    const tick = document.createElement('input');
    tick.type = 'checkbox';
    tick.className = 'seat-present';
    tick.dataset['seat'] = String(s.seat);
    tick.setAttribute('aria-label', `第 ${s.seat} 席 ${s.custodian} 已到场`);
    tick.addEventListener('change', ready);
    tr.lastElementChild!.appendChild(tick);
  }
  $<HTMLInputElement>('present').checked = false;
  ready();
  $('seats').hidden = false;
  say('请核对席位和保管人,确认到场后举行仪式', 'ok');
}

const seatTicks = () => Array.from(document.querySelectorAll<HTMLInputElement>('input.seat-present'));
const everyonePresent = () => seatTicks().length > 0 && seatTicks().every((t) => t.checked);

/** The ceremony runs only with every seat ticked present and the network confirmed cut. */
function ready() {
  $<HTMLButtonElement>('run').disabled = !seats || !$<HTMLInputElement>('present').checked || !everyonePresent();
}

function showRecord(f: CeremonyFile) {
  $('record-head').textContent = `评议活动:${f.campaign}  评议组:第 ${f.group} 组  门限:${f.threshold} / ${f.shareCount}  时间:${f.createdAt}`;
  $('record-key').textContent = f.publicKey;
  $('record-fp').textContent = groups(f.publicKeyFingerprint);
  $('record-digest').textContent = groups(f.digest);
  const body = $('record-body');
  body.textContent = '';
  const present = new Set(seatTicks().filter((t) => t.checked).map((t) => Number(t.dataset['seat'])));
  for (const s of f.seats) row(body, [String(s.seat), s.custodian, present.has(s.seat) ? '到场' : '未到场', groups(s.fingerprint), ''], [3]).lastElementChild!.className = 'signature';
  $('record').hidden = false;
}

function save() {
  if (!made) return;
  const url = URL.createObjectURL(new Blob([JSON.stringify(made, null, 2) + '\n'], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `ceremony-${made.campaign}-group${made.group}.json`;
  a.hidden = true;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
  say('仪式文件已保存:请交统计人员在“开封计票”页面上传,并打印仪式记录签字', 'ok');
}

function start() {
  const file = $<HTMLInputElement>('seats-file');
  const present = $<HTMLInputElement>('present');
  const run = $<HTMLButtonElement>('run');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) void openSeats(f);
  });
  present.addEventListener('change', ready);
  run.addEventListener('click', async () => {
    if (!seats || !present.checked || !everyonePresent()) return;
    if (!globalThis.crypto?.subtle) return say('此浏览器无法举行仪式:需要浏览器的加密功能(从本机文件或 https 打开)', 'err');
    run.disabled = true;
    say('正在生成密钥、拆分并封存分片……', 'busy');
    await new Promise((r) => setTimeout(r, 30));
    try {
      made = await runCeremonyCore(seats);
      showRecord(made);
      say(`仪式完成:公钥 ${made.publicKey.slice(0, 12)}…,${made.seats.length} 份分片已封存。请保存仪式文件并打印记录。`, 'ok');
      $('save').focus();
    } catch (err) {
      say(`仪式未能完成:${(err as Error).message}`, 'err');
    } finally {
      ready();
    }
  });
  $('save').addEventListener('click', save);
  $('print').addEventListener('click', () => window.print());
  $('online-note').hidden = !navigator.onLine;
  $('app').hidden = false;
  $('noscript-note').hidden = true;
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
