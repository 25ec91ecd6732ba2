/**
 * The dashboard's (and the onboarding page's) stylesheet and its one small script, served as files so the
 * Content-Security-Policy can forbid inline script entirely.
 */
export const DASHBOARD_CSS = `
:root { --fg:#1c2430; --muted:#5d6b7c; --line:#dde3ea; --bg:#f6f8fa; --card:#fff; --accent:#2f6fde; --bad:#c23b3b; --good:#1f8a4c; --warn:#b7791f; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header.top { display:flex; flex-wrap:wrap; align-items:center; gap:6px 18px; padding:10px 24px; background:#14213d; color:#fff; }
header.top a { color:#d6e2ff; text-decoration:none; padding:4px 8px; border-radius:4px; }
header.top a.active, header.top a:hover { background:#26386a; color:#fff; }
header.top .brand { font-weight:700; color:#fff; margin-right:8px; }
header.top form { margin-left:auto; }
main { max-width:1180px; margin:0 auto; padding:20px 24px 60px; }
h1 { font-size:22px; margin:4px 0 16px; } h2 { font-size:16px; margin:22px 0 10px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px; margin-bottom:16px; }
table { width:100%; border-collapse:collapse; background:var(--card); }
th, td { text-align:left; padding:7px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-size:12px; text-transform:uppercase; letter-spacing:.03em; color:var(--muted); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
code, pre { font:12.5px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
pre { background:#0f1724; color:#e6edf6; padding:12px 14px; border-radius:6px; overflow:auto; margin:6px 0 0; }
form.inline { display:inline; }
main a { color:var(--accent); }
td a, a.key-link { font-weight:600; text-decoration:none; }
td a:hover, a.key-link:hover { text-decoration:underline; }
.table-scroll { overflow-x:auto; }
.nowrap { white-space:nowrap; }
.grid { display:grid; grid-template-columns:repeat(auto-fill,minmax(210px,1fr)); gap:10px 14px; align-items:end; }
label { display:flex; flex-direction:column; gap:3px; font-size:12px; color:var(--muted); }
label.check { flex-direction:row; align-items:center; gap:6px; color:var(--fg); font-size:13px; }
input, select, textarea { font:inherit; padding:6px 8px; border:1px solid #c5ced9; border-radius:5px; background:#fff; color:var(--fg); }
textarea { min-height:70px; }
button, .button { font:inherit; padding:6px 12px; border-radius:5px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#fff; color:var(--accent); }
button.danger { background:#fff; color:var(--bad); border-color:var(--bad); }
header.top button { background:transparent; border-color:#5d74b3; color:#d6e2ff; }
.flash { padding:10px 14px; border-radius:6px; margin-bottom:16px; border:1px solid; }
.flash.error { background:#fdecec; border-color:#f0b4b4; color:#8a1f1f; }
.flash.ok { background:#e9f7ef; border-color:#a9dcbd; color:#1d5e38; }
.secret { display:flex; gap:8px; align-items:center; margin:8px 0; }
.secret code { font-size:14px; padding:8px 10px; background:#fff8e1; border:1px dashed var(--warn); border-radius:5px; word-break:break-all; }
.pill { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; background:#eef2f7; color:var(--muted); }
.pill.good { background:#e3f5ea; color:var(--good); } .pill.bad { background:#fbe6e6; color:var(--bad); } .pill.warn { background:#fff3dc; color:var(--warn); }
.muted { color:var(--muted); } .small { font-size:12px; }
.charts { display:grid; grid-template-columns:repeat(auto-fit,minmax(min(460px,100%),1fr)); gap:16px; }
figure.card { margin:0; }
svg.chart { width:100%; height:auto; display:block; }
svg.chart text { font:12px system-ui,sans-serif; fill:#5d6b7c; }
svg.chart .grid-line { stroke:#e7ecf1; } svg.chart .axis { stroke:#b9c3cf; }
.legend { display:flex; gap:14px; font-size:12px; color:var(--muted); margin-top:4px; }
.legend svg { vertical-align:-1px; }
.login { max-width:380px; margin:80px auto; }
.snippet h3 { font-size:14px; margin:14px 0 2px; }
.snippet .path { font-size:12px; color:var(--muted); }
.tabs { display:flex; flex-wrap:wrap; gap:6px; margin:0 0 12px; }
.tabs a { padding:4px 10px; border:1px solid var(--line); border-radius:14px; text-decoration:none; color:var(--fg); background:#fff; }
/* Narrow screens: the navigation wraps under the brand instead of running off the edge. */
@media (max-width: 600px) {
  header.top { gap:4px 6px; padding:8px 10px; }
  header.top .brand { flex-basis:100%; }
  header.top a { padding:4px 6px; }
  header.top form { margin-left:0; }
  main { padding:14px 10px 40px; }
  table { display:block; overflow-x:auto; }
}
`;

export const DASHBOARD_JS = `
document.addEventListener('click', async (event) => {
  const button = event.target instanceof Element ? event.target.closest('[data-copy]') : null;
  if (!button) return;
  const source = document.getElementById(button.getAttribute('data-copy'));
  if (!source) return;
  try {
    await navigator.clipboard.writeText(source.textContent || '');
    button.textContent = 'Copied';
  } catch {
    const range = document.createRange();
    range.selectNodeContents(source);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = 'Selected: press Ctrl+C';
  }
});
document.addEventListener('submit', (event) => {
  const form = event.target;
  const question = form instanceof HTMLFormElement ? form.getAttribute('data-confirm') : null;
  if (question && !window.confirm(question)) event.preventDefault();
});
`;
