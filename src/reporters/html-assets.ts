/**
 * The HTML report's inline style and script: no web fonts, no CDN, nothing
 * the page fetches. The script only filters what is already on the page.
 */

/** The report's stylesheet. */
export const REPORT_CSS = `
:root{--ok:#2e7d32;--changed:#b26a00;--failed:#c62828;--skipped:#0277bd;--unreachable:#6a1b9a;--bg:#fafafa;--fg:#1d1d1f;--mute:#666;--line:#ddd}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:16px 24px;background:#1f2937;color:#f9fafb}header h1{margin:0;font-size:20px}.meta,.files{margin:4px 0 0;color:#cbd5e1}
.files code{color:#e5e7eb;margin-right:8px}.check{color:#fde68a}
.filters{position:sticky;top:0;z-index:2;display:flex;flex-wrap:wrap;gap:16px;align-items:center;padding:10px 24px;background:#fff;border-bottom:1px solid var(--line)}
.filters select{font:inherit;padding:2px 4px}.statuses label{margin-right:10px;font-weight:600}#f-count{color:var(--mute);margin-left:auto}
main{padding:8px 24px 40px}h2{font-size:16px;margin:22px 0 8px}h2 small{color:var(--mute);font-weight:normal}
table{border-collapse:collapse}.recap td,.recap th{padding:3px 10px;border-bottom:1px solid var(--line);text-align:right}.recap td:first-child,.recap th:first-child{text-align:left}
.recap tr.bad td:first-child{color:var(--failed);font-weight:600}.recap tr.chg td:first-child{color:var(--changed);font-weight:600}.recap tr.good td:first-child{color:var(--ok);font-weight:600}
.timeline{border:1px solid var(--line);background:#fff;padding:6px 8px}.lane{display:flex;align-items:center;height:20px}
.lane-name{width:140px;flex:none;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:var(--mute);font-size:12px}
.track{position:relative;flex:1;height:14px;background:repeating-linear-gradient(90deg,#f3f4f6 0 10%,#fff 10% 20%)}
.bar{position:absolute;top:1px;height:12px;border-radius:2px;opacity:.9}.bar:hover{opacity:1;outline:1px solid #000}
.st-ok{--c:var(--ok)}.st-changed{--c:var(--changed)}.st-failed{--c:var(--failed)}.st-skipped{--c:var(--skipped)}.st-unreachable{--c:var(--unreachable)}
.bar{background:var(--c)}.statuses label{color:var(--c)}
.pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:12px;color:#fff;background:var(--c);margin-right:4px}
.task{background:#fff;border:1px solid var(--line);border-radius:4px;margin:6px 0}.task summary{cursor:pointer;padding:6px 10px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
.task .name{font-weight:600}.task .counts{margin-left:auto}.task .dur{color:var(--mute);min-width:60px;text-align:right}
.tag{font-size:11px;border:1px solid #94a3b8;color:#334155;border-radius:3px;padding:0 4px}
.src{color:var(--mute);font-size:12px;padding:0 10px 4px;font-family:ui-monospace,monospace}
.results{width:100%;table-layout:fixed}.c-host{width:170px}.c-status{width:130px}.c-dur{width:80px}.results td{border-top:1px solid #eee;padding:4px 10px;vertical-align:top}.results .host{font-weight:600;overflow-wrap:anywhere}.results .dur{color:var(--mute)}.detail{overflow-wrap:anywhere}
.msg{white-space:pre-wrap}.rc{color:var(--failed)}pre{margin:4px 0;padding:6px 8px;background:#f6f8fa;border:1px solid #eee;overflow:auto;max-height:420px;font-size:12px}
pre.err{background:#fff5f5}.lbl{color:var(--mute);font-style:italic}.diff .add{color:#1b5e20;background:#e8f5e9;display:inline-block;width:100%}.diff .del{color:#b71c1c;background:#ffebee;display:inline-block;width:100%}
.diff .hunk{color:#0277bd}.diff .hd{color:var(--mute);font-weight:600}.note{color:var(--mute)}.warnings li{color:#8a5a00}
[hidden]{display:none!important}
`;

/** The report's script: filter by host, status and tag; count what is shown. */
export const REPORT_SCRIPT = `
(function () {
  var host = document.getElementById('f-host'), tag = document.getElementById('f-tag');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name=status]'));
  function apply() {
    var h = host.value, t = tag.value, on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var tagOk = function (el) { return !t || (' ' + (el.getAttribute('data-tags') || '') + ' ').indexOf(' ' + t + ' ') >= 0; };
    var shown = 0;
    document.querySelectorAll('.task').forEach(function (task) {
      var any = false, okTag = tagOk(task);
      task.querySelectorAll('tr.result').forEach(function (row) {
        var vis = okTag && (!h || row.getAttribute('data-host') === h) && on[row.getAttribute('data-status')];
        row.hidden = !vis; if (vis) { any = true; shown++; }
      });
      task.hidden = !any;
    });
    document.querySelectorAll('.play').forEach(function (play) {
      play.hidden = !play.querySelector('.task:not([hidden])');
    });
    document.querySelectorAll('.bar').forEach(function (bar) {
      bar.hidden = !(tagOk(bar) && on[bar.getAttribute('data-status')]);
    });
    document.querySelectorAll('.lane, .recap tr[data-host]').forEach(function (el) {
      el.hidden = !!h && el.getAttribute('data-host') !== h;
    });
    document.getElementById('f-count').textContent = shown + ' result' + (shown === 1 ? '' : 's') + ' shown';
    document.getElementById('empty').hidden = shown > 0;
  }
  host.addEventListener('change', apply); tag.addEventListener('change', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  apply();
})();
`;
