// Served as /static/app.css. Mobile first; tablet (>= 768px) widens the grid. Colours meet WCAG AA.
export const appCss = `
:root{--fg:#1a1a1a;--muted:#555;--bg:#fff;--line:#d0d4da;--accent:#a3161a;--accent-fg:#fff;--link:#0b4f9c;--ok:#1d6b2f;--warn:#8a4b00;--err:#b00020;--soft:#f4f5f7}
*{box-sizing:border-box}
html{font-size:17px;-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:var(--bg);font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;line-height:1.65}
a{color:var(--link)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #f2a900;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:8px;z-index:10}
header.site{background:var(--accent);color:var(--accent-fg)}
header.site .bar{max-width:1100px;margin:0 auto;padding:10px 16px;display:flex;flex-wrap:wrap;gap:8px 20px;align-items:center}
header.site a{color:var(--accent-fg);text-decoration:none}
header.site .brand{font-weight:700;font-size:1.1rem}
header.site nav{display:flex;flex-wrap:wrap;gap:4px 14px}
header.site nav a{padding:8px 2px;min-height:44px;display:inline-flex;align-items:center}
header.site nav a:hover{text-decoration:underline}
main{max-width:1100px;margin:0 auto;padding:16px}
footer.site{max-width:1100px;margin:24px auto;padding:16px;color:var(--muted);font-size:.85rem;border-top:1px solid var(--line)}
h1{font-size:1.5rem;line-height:1.3;margin:.4em 0 .6em}
h2{font-size:1.2rem;margin:1.4em 0 .5em}
.muted{color:var(--muted)}
.cards{display:grid;grid-template-columns:1fr;gap:12px}
@media (min-width:768px){.cards{grid-template-columns:repeat(2,1fr)}html{font-size:18px}}
@media (min-width:1100px){.cards.four{grid-template-columns:repeat(4,1fr)}}
.card{border:1px solid var(--line);border-radius:8px;padding:14px 16px;background:#fff}
.card h2,.card h3{margin-top:0}
.stat{font-size:1.6rem;font-weight:700}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border-bottom:1px solid var(--line);padding:8px 6px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tfoot td{font-weight:700}
.table-wrap{overflow-x:auto}
ol.agenda{list-style:none;padding:0;margin:0}
ol.agenda li{display:flex;gap:12px;padding:10px 0;border-bottom:1px solid var(--line);align-items:baseline}
ol.agenda .time{font-variant-numeric:tabular-nums;color:var(--muted);min-width:7.5em}
form.stack{display:grid;gap:12px;max-width:640px}
label{font-weight:600;display:block;margin-bottom:4px}
input[type=text],input[type=password],input[type=date],input[type=time],input[type=number],input[type=url],select,textarea{width:100%;font:inherit;padding:10px 12px;border:1px solid #8a8f98;border-radius:6px;min-height:44px;background:#fff;color:var(--fg)}
textarea{min-height:6em}
button,.button{font:inherit;min-height:44px;padding:8px 18px;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg);cursor:pointer;text-decoration:none;display:inline-flex;align-items:center;justify-content:center}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.small{min-height:36px;padding:4px 10px;font-size:.9rem}
.inline{display:inline}
.row{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
.field-error{color:var(--err);font-size:.9rem;margin-top:4px}
.flash{padding:10px 14px;border-radius:6px;margin:8px 0}
.flash.ok{background:#e6f4ea;color:var(--ok)}
.flash.err{background:#fde7ea;color:var(--err)}
.flash.warn{background:#fff4e0;color:var(--warn)}
.badge{display:inline-block;padding:0 8px;border-radius:10px;background:var(--soft);font-size:.85rem}
.badge.frozen{background:#fde7ea;color:var(--err)}
.badge.draft{background:#e6f4ea;color:var(--ok)}
.prose{white-space:pre-wrap}
ul.goals{padding-left:1.3em}
fieldset{border:1px solid var(--line);border-radius:8px;padding:12px}
legend{font-weight:700;padding:0 6px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.big{min-height:56px;font-size:1.15rem}
input.big{font-size:1.4rem;letter-spacing:.08em;text-transform:uppercase}
.ballot-item{margin:0 0 14px}
.choices{display:grid;grid-template-columns:repeat(2,1fr);gap:8px}
@media (min-width:768px){.choices{grid-template-columns:repeat(4,1fr)}}
.choice{display:flex;align-items:center;gap:10px;min-height:56px;padding:8px 12px;border:2px solid var(--line);border-radius:8px;font-weight:500;cursor:pointer}
.choice input{width:26px;height:26px;margin:0}
.choice:has(input:checked){border-color:var(--accent);background:#fbeaea}
.receipt{font-size:2rem;font-weight:700;letter-spacing:.06em;font-variant-numeric:tabular-nums}
/* the hidden attribute wins over display rules such as button's inline-flex */
[hidden]{display:none!important}
.sealed-receipt{border:2px solid var(--line);border-radius:8px;padding:8px 14px;margin:12px 0}
.qr{min-width:280px;max-width:360px;background:#fff;padding:8px}.qr svg{width:100%;height:auto;display:block}
.mono{font-family:monospace;word-break:break-all}
.ticket{font-size:2.2rem;font-weight:700;letter-spacing:.08em}
code.wrap{word-break:break-all}
tr.alarm td{background:#fde7ea}
.pill{display:inline-block;padding:0 8px;border-radius:10px;font-size:.85rem}
.pill.open{background:#e6f4ea;color:var(--ok)}.pill.closed{background:var(--soft)}.pill.pending{background:#fff4e0;color:var(--warn)}
.notice{margin:12px 0;break-inside:avoid;page-break-inside:avoid}
@media print{header.site,footer.site,form,button,.button{display:none}.notice{border:1px solid #000}}
/* utilities in place of inline style attributes (the CSP allows no inline style); !important as an inline style had */
.break-all{word-break:break-all!important}.fs-110{font-size:1.1rem!important}.fw-normal{font-weight:normal!important}.block{display:block!important}
.w-5em{width:5em!important}.w-55em{width:5.5em!important}.w-6em{width:6em!important}.w-180px{width:180px!important}.w-200px{width:200px!important}
.mh-36{min-height:36px!important}.minw-46em{min-width:46em!important}.maxw-none{max-width:none!important}.maxw-6em{max-width:6em!important}
.maxw-12em{max-width:12em!important}.maxw-18em{max-width:18em!important}.maxw-640px{max-width:640px!important}.maxw-full{max-width:100%!important}
.fluid{max-width:100%;height:auto}.my-12{margin:12px 0!important}.my-16{margin:16px 0!important}
.code-lg{font-size:1.3rem!important;letter-spacing:.05em}.code-xl{font-size:1.4rem!important;letter-spacing:.05em}
.share-code{font-family:monospace;font-size:1.3rem;word-break:break-all;border:2px solid #1a1a1a;padding:12px}.mono-sm{font-family:monospace;font-size:.85rem}
.align-start{align-items:flex-start!important}.gap-16{gap:16px!important}
/* htmx's indicator styles, which it would otherwise inject as an inline <style> (includeIndicatorStyles: false) */
.htmx-indicator{opacity:0}.htmx-request .htmx-indicator,.htmx-request.htmx-indicator{opacity:1;transition:opacity 200ms ease-in}
`;
