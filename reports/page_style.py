"""The report's stylesheet: system fonts only (nothing to fetch), light and dark schemes, print friendly.

Colour never carries meaning alone: every verdict chip also has a symbol and a word.
"""

PAGE_CSS = """
:root{--bg:#f6f7f9;--card:#fff;--ink:#1c2430;--muted:#5b6675;--line:#e1e5ea;--accent:#2f5bd3;
--good:#1a7f43;--good-bg:#e3f4e9;--partial:#8a5a00;--partial-bg:#fdf1d6;--bad:#b42318;--bad-bg:#fde7e4;
--missing:#6941c6;--missing-bg:#efe9fb;--heat:47,91,211;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#12161c;--card:#1a2029;--ink:#e6eaf0;--muted:#9aa5b4;
--line:#2c3440;--accent:#8fb0ff;--good:#6fd39a;--good-bg:#173325;--partial:#f0c060;--partial-bg:#3a2f14;
--bad:#ff8a80;--bad-bg:#3d1b19;--missing:#c4b0ff;--missing-bg:#2b2340;--heat:120,160,255}
svg.plot{filter:invert(.88) hue-rotate(180deg)}}
*{box-sizing:border-box}
html{scroll-behavior:smooth;scroll-padding-top:56px}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",
Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;-webkit-font-smoothing:antialiased}
code,.mono,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:.88em}
header.top{padding:28px 32px 20px;background:linear-gradient(135deg,#1f3b8f,#2f5bd3);color:#fff}
header.top h1{margin:0 0 4px;font-size:26px;font-weight:650;letter-spacing:-.01em}
header.top .sub{opacity:.9;font-size:14px}
header.top .chips{margin-top:12px;display:flex;flex-wrap:wrap;gap:8px}
header.top .chip{background:rgba(255,255,255,.14);border:1px solid rgba(255,255,255,.25);border-radius:999px;
padding:2px 10px;font-size:13px}
nav.sections{position:sticky;top:0;z-index:5;display:flex;gap:4px;flex-wrap:wrap;padding:8px 24px;
background:var(--card);border-bottom:1px solid var(--line);box-shadow:0 1px 3px rgba(0,0,0,.05)}
nav.sections a{color:var(--muted);text-decoration:none;padding:4px 10px;border-radius:6px;font-size:14px}
nav.sections a:hover{background:var(--bg);color:var(--accent)}
main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:20px 24px;margin:0 0 20px;
box-shadow:0 1px 2px rgba(0,0,0,.04)}
section h2{margin:0 0 4px;font-size:19px;font-weight:650}
section h3{margin:18px 0 8px;font-size:15px;font-weight:600;color:var(--muted)}
p.intro{margin:0 0 14px;color:var(--muted);font-size:14px}
footer{text-align:center;color:var(--muted);font-size:12px;padding:0 0 28px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:14px}
@media (max-width:900px){.cards{grid-template-columns:repeat(2,1fr)}}
@media (max-width:560px){.cards{grid-template-columns:1fr}}
.card{border:1px solid var(--line);border-radius:10px;padding:14px 16px;background:var(--card)}
.card .label{color:var(--muted);font-size:13px;font-weight:500}
.card .value{font-size:30px;font-weight:700;letter-spacing:-.02em;line-height:1.2;margin-top:2px}
.card .ci{color:var(--muted);font-size:13px}
.card .ci-track{margin-top:8px}
.card ul.vs{list-style:none;margin:10px 0 0;padding:8px 0 0;border-top:1px dashed var(--line);font-size:13px}
.card ul.vs li{display:grid;grid-template-columns:1fr auto;gap:10px;padding:2px 0}
.card ul.vs li>span:last-child{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.card ul.vs li>span:first-child{color:var(--muted)}
.dir{font-weight:600;white-space:nowrap}.dir.better{color:var(--good)}.dir.worse{color:var(--bad)}
.dir.unclear,.dir.same{color:var(--partial)}.dir.unknown{color:var(--muted)}
.dir.floor{color:var(--muted);font-weight:500;font-size:.92em}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:13px;background:var(--bg)}
table.metrics thead th{max-width:150px;vertical-align:bottom;white-space:normal}
table.metrics code{display:block;color:var(--muted);font-size:11.5px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.group th{background:transparent;color:var(--ink);font-size:14px;padding-top:16px;border-bottom:2px solid var(--line)}
.table-wrap{overflow-x:auto}
.ci-track{position:relative;height:18px;min-width:140px;background:linear-gradient(var(--line),var(--line)) center/100% 1px no-repeat}
.ci-track .ci-bar{position:absolute;top:6px;height:6px;border-radius:3px;background:var(--accent);opacity:.35}
.ci-track .ci-dot{position:absolute;top:3px;width:12px;height:12px;margin-left:-6px;border-radius:50%;
background:var(--accent);border:2px solid var(--card)}
.ci-track .base{position:absolute;top:1px;width:2px;height:16px;margin-left:-1px;background:var(--muted)}
.ci-track .zero{position:absolute;top:0;width:1px;height:18px;background:var(--ink);opacity:.6}
.legend{color:var(--muted);font-size:12.5px;margin-top:8px}
.plots{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:18px}
figure{margin:0}figure figcaption{color:var(--muted);font-size:13px;margin-top:4px}
svg.plot{width:100%;height:auto;display:block}
.plot-narrow{display:none}
pre.prompt{white-space:pre-wrap;max-height:none}
figure.training{max-width:760px}
.bar{height:10px;border-radius:5px;background:var(--line);min-width:120px;overflow:hidden}
.bar>span{display:block;height:100%;background:var(--accent)}
table.heat td,table.heat th{text-align:center;padding:5px 8px;font-variant-numeric:tabular-nums;border:1px solid var(--line)}
table.heat th.row{text-align:right}
table.heat td.diag{outline:2px solid var(--good);outline-offset:-2px;font-weight:700}
table.heat td.zero{color:var(--muted)}
table.heat th.col{vertical-align:bottom;padding:6px 2px}
table.heat th.col span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;display:inline-block}
table.heat td a{color:inherit;text-decoration:none;display:block}
table.heat td a:hover,table.heat td a:focus{text-decoration:underline}
.two>*,.plots>*,.stack>*{min-width:0}  /* a wide table scrolls in its box instead of widening the page */
.stack>div+div{margin-top:18px}
.stack .per-category{max-width:760px}
.two{display:grid;grid-template-columns:minmax(300px,1fr) minmax(300px,1.3fr);gap:24px}
@media (max-width:900px){.two{grid-template-columns:1fr}.plots{grid-template-columns:1fr}}
.controls{display:flex;flex-wrap:wrap;gap:10px;align-items:center;margin-bottom:14px;padding:10px;
background:var(--bg);border-radius:8px}
.controls label{font-size:13px;color:var(--muted);display:flex;gap:6px;align-items:center}
.controls input,.controls select{font:inherit;font-size:14px;padding:5px 8px;border:1px solid var(--line);
border-radius:6px;background:var(--card);color:var(--ink)}
.controls input[type=search]{min-width:240px}
.controls .count{margin-left:auto;font-size:13px;color:var(--muted)}
.controls a.download{font-size:13px;color:var(--accent);text-decoration:none;white-space:nowrap}
.pager{display:flex;gap:12px;align-items:center;justify-content:center;margin-top:14px;font-size:14px;color:var(--muted)}
.pager[hidden]{display:none}
.pager button{font:inherit;font-size:14px;padding:5px 12px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--ink);cursor:pointer}
.pager button:disabled{opacity:.45;cursor:default}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:14px}
.sample{border:1px solid var(--line);border-radius:10px;overflow:hidden;display:flex;flex-direction:column;
background:var(--card)}
.sample[hidden]{display:none}
.sample .head{display:flex;gap:12px;padding:12px}
.sample img,.sample .noimg{width:96px;height:96px;object-fit:cover;border-radius:8px;flex:none;background:var(--bg);
border:1px solid var(--line)}
.sample .noimg{display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:11px}
.sample .id{font-weight:600;font-size:13px}
.sample .badge{display:inline-block;font-size:12px;font-weight:600;border-radius:999px;padding:1px 8px;margin-left:6px}
.badge.right{background:var(--good-bg);color:var(--good)}.badge.wrong{background:var(--bad-bg);color:var(--bad)}
.badge.close{background:var(--partial-bg);color:var(--partial)}
.badge.unparsed{background:var(--missing-bg);color:var(--missing)}
.sample dl{margin:0;padding:0 12px 12px;display:grid;grid-template-columns:auto 1fr;gap:3px 10px;font-size:13px}
.sample dt{color:var(--muted)}.sample dd{margin:0;overflow-wrap:anywhere}
.sample .gen{margin:0 12px 10px;padding:8px 10px;background:var(--bg);border-radius:6px;font-size:12.5px;
white-space:pre-wrap;overflow-wrap:anywhere;max-height:7.5em;overflow:auto}
.sample .error{margin:0 12px 10px;color:var(--missing);font-size:12.5px}
.verdicts{display:flex;gap:6px;flex-wrap:wrap;padding:0 12px 12px;margin-top:auto}
.v{font-size:12px;border-radius:6px;padding:2px 7px;font-weight:600;white-space:nowrap}
.v.good{background:var(--good-bg);color:var(--good)}.v.partial{background:var(--partial-bg);color:var(--partial)}
.v.bad{background:var(--bad-bg);color:var(--bad)}.v.missing{background:var(--missing-bg);color:var(--missing)}
.empty{padding:24px;text-align:center;color:var(--muted)}
dl.prov,dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0}
dl.prov dt,dl.facts dt{color:var(--muted)}dl.prov dd,dl.facts dd{margin:0;overflow-wrap:anywhere}
details{margin-top:12px}summary{cursor:pointer;color:var(--accent);font-size:14px}
pre.raw{max-height:420px;overflow:auto;background:var(--bg);padding:12px;border-radius:8px}
.warn{background:var(--partial-bg);color:var(--partial);border-radius:8px;padding:8px 12px;margin:0 0 12px;font-size:14px}
.disagreements{display:grid;gap:14px}
.answers{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:10px;padding:0 12px 12px}
.answers .run{border:1px solid var(--line);border-radius:8px;padding:8px}
.answers .run .name{font-weight:600;font-size:13px;margin-bottom:4px}
.answers .run .gen{margin:0 0 6px}.answers .verdicts{padding:0}
@media (max-width:640px){.plot-wide{display:none}.plot-narrow{display:block}
.plots{grid-template-columns:1fr}main{padding:12px 8px 28px}section{padding:14px 12px;border-radius:10px}
header.top{padding:20px 16px 16px}header.top h1{font-size:22px}nav.sections{padding:6px 8px}
.controls input[type=search]{min-width:0;width:100%}.controls label{flex:1 1 100%}.controls label select{flex:1}
.controls .count{margin-left:0}.gallery{grid-template-columns:1fr}
table{font-size:13px}th,td{padding:5px 6px}table.metrics code{display:none}
table.metrics th:nth-child(5),table.metrics td:nth-child(5){display:none}
.per-category th:nth-child(4),.per-category td:nth-child(4){display:none}
table.differences thead{display:none}
table.differences tr{display:grid;grid-template-columns:1fr 1fr;border-bottom:1px solid var(--line)}
table.differences td,table.differences th{display:block;border:0}
table.differences tr>td:first-child,table.differences tr>td:last-child,table.differences tr.group th{grid-column:1/-1}
table.differences tr>td:first-child{font-weight:600;padding-bottom:0}
table.differences td.num{text-align:left;white-space:normal}
table.differences td[data-label]::before{content:attr(data-label);display:block;font-size:11px;color:var(--muted)}
.two{grid-template-columns:1fr}.card .value{font-size:26px}}
@media print{nav.sections,.controls{display:none}section{break-inside:avoid;box-shadow:none}header.top{background:#2f5bd3;-webkit-print-color-adjust:exact;print-color-adjust:exact}}
"""
