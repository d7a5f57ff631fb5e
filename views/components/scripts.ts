/**
 * The scripts of the pages, served as static files of this origin (`/static/<name>?v=<hash>`)
 * so that the Content-Security-Policy needs no inline script: no page carries a <script> body
 * or an inline event handler.
 */

/** The turnout page: one server-sent-events stream replaces the table when it changes. */
const TURNOUT_STREAM_JS = `(() => {
  const box = document.getElementById('turnout-live');
  const status = document.getElementById('turnout-status');
  if (!box || !('EventSource' in window)) return;
  const say = (text) => { status.textContent = text; status.hidden = !text; };
  const source = new EventSource(box.dataset.stream);
  source.addEventListener('turnout', (e) => { box.innerHTML = e.data; say(''); });
  source.addEventListener('error', () => say(source.readyState === EventSource.CLOSED ? '实时连接已断开,请刷新页面。' : '实时连接中断,正在重新连接……数字可能不是最新。'));
})();`;

/** The check-in desk: read a delegate's QR code with the tablet camera where BarcodeDetector exists. */
const SCAN_SCRIPT = `(function(){var b=document.getElementById('scan');if(!b||!('BarcodeDetector' in window)||!navigator.mediaDevices)return;b.hidden=false;b.onclick=async function(){var v=document.getElementById('scan-video');try{var s=await navigator.mediaDevices.getUserMedia({video:{facingMode:'environment'}});v.srcObject=s;v.hidden=false;await v.play();var d=new BarcodeDetector({formats:['qr_code']});var t=setInterval(async function(){var r=await d.detect(v).catch(function(){return[]});if(r.length){clearInterval(t);s.getTracks().forEach(function(x){x.stop()});v.hidden=true;var i=document.getElementById('code');i.value=r[0].rawValue;i.form.requestSubmit();}},300);}catch(e){alert('无法打开摄像头,请手动输入代表证号');}};})();`;

/** The seal page: a custodian checks their share against the published fingerprints, in the browser. */
const CHECK_SCRIPT = `
document.querySelectorAll('form[data-fingerprint-check]').forEach(function (form) {
  form.addEventListener('submit', async function (e) {
    e.preventDefault();
    var out = form.querySelector('output');
    var text = form.querySelector('textarea').value.trim();
    var m = text.match(/^(?:(\\d+)\\s*-\\s*(\\d+)\\s*[:\\uff1a])?([0-9a-fA-F\\s-]+)$/);
    var hex = m ? m[3].replace(/[\\s-]/g, '').toLowerCase() : '';
    if (!/^[0-9a-f]{66}$/.test(hex)) { out.textContent = '无法识别的分片码'; return; }
    var seats = JSON.parse(form.dataset.seats), hit = null;
    for (var i = 0; i < seats.length; i++) {
      var msg = new TextEncoder().encode('sanmin-share-v1|' + form.dataset.campaign + '|' + form.dataset.group + '|' + seats[i].seat + '|' + hex);
      var d = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', msg))).map(function (b) { return b.toString(16).padStart(2, '0'); }).join('');
      if (d === seats[i].fingerprint) hit = seats[i].seat;
    }
    out.textContent = hit ? '相符:这是席位 ' + hit + ' 的分片' : '不符:与本组公布的任何指纹都不一致';
  });
});`;

/** Every page: buttons marked data-print print the page (in place of an inline onclick). */
const PAGE_JS = `document.addEventListener('click', function (e) {
  var b = e.target instanceof Element ? e.target.closest('[data-print]') : null;
  if (b) { e.preventDefault(); window.print(); }
});`;

export const PAGE_SCRIPTS: Record<string, string> = {
  'turnout.js': TURNOUT_STREAM_JS,
  'scan.js': SCAN_SCRIPT,
  'share-check.js': CHECK_SCRIPT,
  'page.js': PAGE_JS,
};

/** FNV-1a, 32 bits, as hex: a cache key that changes with the content (not a security hash). */
export function contentVersion(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

const versions = new Map<string, string>();

/** The URL of a static script, versioned by its content so it can be cached for a year. */
export function scriptSrc(name: string, body = PAGE_SCRIPTS[name]): string {
  let v = versions.get(name);
  if (v === undefined) versions.set(name, (v = contentVersion(body ?? '')));
  return `/static/${name}?v=${v}`;
}
