"""The Jinja2 template, style sheet and script of the HTML report.

Kept as Python strings so the wheel needs no package-data entry. The template
is rendered with autoescape on: every device string arrives as plain text and
is escaped; only :data:`SCRIPT` and :data:`STYLE` (constants) are marked safe.
"""

from __future__ import annotations

# Only filtering and expanding: the page reads the same without it.
SCRIPT = """
(function () {
  var nav = document.getElementById("filters");
  nav.hidden = false;
  var buttons = nav.querySelectorAll("button[data-filter]");
  function show(filter) {
    document.querySelectorAll("tr.tunnel").forEach(function (row) {
      row.hidden = filter !== "all" && row.dataset.health !== filter;
    });
    document.querySelectorAll("section.device").forEach(function (section) {
      var healths = section.dataset.healths.split(" ");
      section.hidden = filter !== "all" && healths.indexOf(filter) < 0;
    });
    buttons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.filter === filter));
    });
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { show(b.dataset.filter); });
  });
  var toggle = document.getElementById("expand-all");
  toggle.addEventListener("click", function () {
    var open = toggle.dataset.open !== "true";
    document.querySelectorAll("details.finding").forEach(function (d) { d.open = open; });
    toggle.dataset.open = String(open);
    toggle.textContent = open ? "Collapse all findings" : "Expand all findings";
  });
})();
"""

STYLE = """
:root {
  --bg: #f6f8fa; --card: #ffffff; --text: #1f2328; --muted: #59636e; --line: #d1d9e0;
  --up: #1a7f37; --up-bg: #dafbe1; --degraded: #9a6700; --degraded-bg: #fff8c5;
  --down: #cf222e; --down-bg: #ffebe9; --unknown: #6639ba; --unknown-bg: #fbefff;
  --code-bg: #eff2f5;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --card: #151b23; --text: #e6edf3; --muted: #9198a1; --line: #3d444d;
    --up: #3fb950; --up-bg: #12261e; --degraded: #d29922; --degraded-bg: #272115;
    --down: #f85149; --down-bg: #2d1214; --unknown: #ab7df8; --unknown-bg: #221a33;
    --code-bg: #1f2630;
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 1280px; margin: 0 auto; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0; }
.meta { color: var(--muted); margin: 0 0 20px; }
code, pre { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo,
  Consolas, monospace; }
code { background: var(--code-bg); padding: 1px 4px; border-radius: 4px; }
.state { font-weight: 600; padding: 1px 8px; border-radius: 10px; }
.counts { display: grid; grid-template-columns: repeat(4, minmax(140px, 1fr)); gap: 16px;
  margin-bottom: 20px; }
.count { background: var(--card); border: 1px solid var(--line); border-top: 6px solid;
  border-radius: 8px; padding: 14px 18px; }
.count .num { display: block; font-size: 44px; font-weight: 700; line-height: 1.1; }
.count .label { font-size: 15px; font-weight: 600; text-transform: uppercase;
  letter-spacing: .04em; }
.count .note { display: block; color: var(--muted); font-size: 12px; min-height: 1.4em; }
.count.zero .num { color: var(--muted); }
.h-up { --h: var(--up); --h-bg: var(--up-bg); }
.h-degraded { --h: var(--degraded); --h-bg: var(--degraded-bg); }
.h-down { --h: var(--down); --h-bg: var(--down-bg); }
.h-unknown { --h: var(--unknown); --h-bg: var(--unknown-bg); }
.count { border-top-color: var(--h); }
.count .num, .count .label { color: var(--h); }
.badge, .state { display: inline-block; color: var(--h); background: var(--h-bg);
  border: 1px solid var(--h); border-radius: 10px; padding: 0 8px; font-size: 12px;
  font-weight: 600; white-space: nowrap; }
.filters { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; margin: 0 0 20px; }
.filters[hidden] { display: none; }
.filters button { font: inherit; padding: 4px 12px; border-radius: 6px; cursor: pointer;
  border: 1px solid var(--line); background: var(--card); color: var(--text); }
.filters button[aria-pressed="true"] { background: var(--text); color: var(--bg); }
.filters .spacer { flex: 1; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 16px 18px; margin-bottom: 20px; }
.panel[hidden] { display: none; }
.panel-head { display: flex; flex-wrap: wrap; gap: 10px; align-items: baseline;
  margin-bottom: 10px; }
.panel-head .sub { color: var(--muted); }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; font-size: 12px; color: var(--muted); font-weight: 600;
  border-bottom: 1px solid var(--line); padding: 6px 8px; }
td { vertical-align: top; padding: 8px; border-bottom: 1px solid var(--line); }
tr:last-child td { border-bottom: 0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n.nz { font-weight: 700; color: var(--h); }
tr.tunnel td:first-child { border-left: 4px solid var(--h); }
.tunnels th:nth-child(1) { width: 19%; }
.tunnels th:nth-child(2) { width: 8%; }
.tunnels th:nth-child(3) { width: 13%; }
.tunnels th:nth-child(4) { width: 14%; }
tr.tunnel[hidden] { display: none; }
.devices a { color: inherit; font-weight: 600; }
.peer { font-weight: 600; font-variant-numeric: tabular-nums; }
.sub, .desc { color: var(--muted); font-size: 12px; }
.desc { color: var(--text); overflow-wrap: anywhere; }
.error { color: var(--unknown); background: var(--unknown-bg); border-radius: 6px;
  padding: 8px 10px; margin: 0 0 10px; }
details.finding { border: 1px solid var(--line); border-left: 4px solid var(--h);
  border-radius: 6px; margin: 0 0 6px; background: var(--card); }
details.finding > summary { cursor: pointer; padding: 6px 8px; }
details.finding > summary code { font-weight: 700; color: var(--h); background: none;
  padding: 0; }
details.finding[open] > summary { border-bottom: 1px solid var(--line); }
.finding .body { padding: 4px 10px 10px; }
.finding h4 { margin: 8px 0 4px; font-size: 12px; color: var(--muted);
  text-transform: uppercase; letter-spacing: .04em; }
.finding pre { margin: 0; padding: 8px 10px; background: var(--code-bg); border-radius: 6px;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.finding ol { margin: 0; padding-left: 22px; }
.finding li { margin: 2px 0; }
.device-findings { margin-bottom: 10px; }
.none { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; text-align: center; margin-top: 24px; }
@media (max-width: 760px) {
  body { padding: 12px; }
  .counts { grid-template-columns: repeat(2, 1fr); }
}
"""

TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<title>IPsec tunnel health {{ generated_at }}</title>
<style>{{ style }}</style>
</head>
<body>
<main>
<header>
<h1>IPsec tunnel health</h1>
<p class="meta">Generated <time id="generated-at">{{ generated_at }}</time>
 &middot; {{ summary.tunnels }} tunnels on {{ summary.devices }} devices
 &middot; <span class="state h-{{ state_health }}">{{ state_word }}</span>
 (exit {{ summary.exit_code }})</p>
</header>

<section class="counts" aria-label="Tunnel counts">
{%- for c in counts %}
<div class="count h-{{ c.health }}{% if not c.value %} zero{% endif %}">
<span class="num" id="count-{{ c.health }}">{{ c.value }}</span>
<span class="label">{{ c.health }}</span>
<span class="note">{{ c.note }}</span>
</div>
{%- endfor %}
</section>

<nav id="filters" class="filters" aria-label="Filter tunnels by health" hidden>
<span>Show</span>
<button type="button" data-filter="all" aria-pressed="true">All</button>
{%- for c in counts %}
<button type="button" data-filter="{{ c.health }}" aria-pressed="false">
{{- c.health|capitalize }} ({{ c.value }})</button>
{%- endfor %}
<span class="spacer"></span>
<button type="button" id="expand-all">Expand all findings</button>
</nav>

<section class="panel" aria-labelledby="devices-title">
<div class="panel-head"><h2 id="devices-title">Devices</h2></div>
<table class="devices">
<thead><tr><th>Device</th><th>Platform</th><th>Status</th><th>Health</th>
{%- for h in worst_first %}<th class="n">{{ h|capitalize }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for d in devices %}
<tr>
<td><a href="#{{ d.anchor }}">{{ d.name }}</a></td>
<td>{{ d.platform }}</td>
<td>{{ d.status }}</td>
<td><span class="badge h-{{ d.health }}">{{ d.health }}</span></td>
{%- for h in worst_first %}
{%- if d.error and not d.tunnels %}
<td class="n none" title="not read">&ndash;</td>
{%- else %}
<td class="n h-{{ h }}{% if d.counts[h] and h != "up" %} nz{% endif %}">{{ d.counts[h] }}</td>
{%- endif %}
{%- endfor %}
</tr>
{%- endfor %}
</tbody>
</table>
</section>
{% for d in devices %}
<section class="panel device" id="{{ d.anchor }}" data-healths="{{ d.healths }}">
<div class="panel-head">
<h2>{{ d.name }}</h2>
<span class="sub">{{ d.platform }}</span>
<span class="badge h-{{ d.health }}">{{ d.health }}</span>
</div>
{%- if d.error %}
<p class="error">Could not be read: {{ d.error }}</p>
{%- endif %}
{%- if d.findings %}
<div class="device-findings h-{{ d.health }}">
{%- for f in d.findings %}{{ finding(f) }}{% endfor %}
</div>
{%- endif %}
{%- if d.tunnels %}
<table class="tunnels">
<thead><tr><th>Peer</th><th>Health</th><th>IKE</th><th>IPsec</th><th>Findings</th></tr></thead>
<tbody>
{%- for t in d.tunnels %}
<tr class="tunnel h-{{ t.health }}" data-health="{{ t.health }}">
<td><span class="peer">{{ t.peer }}</span>
{%- if t.description %}<div class="desc">{{ t.description }}</div>{% endif %}
<div class="sub">{{ t.where }}</div></td>
<td><span class="badge h-{{ t.health }}">{{ t.health }}</span></td>
<td>{{ t.ike }}{% if t.ike_more %}<div class="sub">{{ t.ike_more }}</div>{% endif %}</td>
<td>{{ t.sas }}{% if t.traffic %}<div class="sub">{{ t.traffic }}</div>{% endif %}</td>
<td>
{%- for f in t.findings %}{{ finding(f) }}{% else %}<span class="none">none</span>{% endfor -%}
</td>
</tr>
{%- endfor %}
</tbody>
</table>
{%- elif not d.error %}
<p class="none">No tunnels.</p>
{%- endif %}
</section>
{% endfor %}
{%- if ezvpn_rows %}
<section class="panel" aria-labelledby="ezvpn-title">
<h2 id="ezvpn-title">{{ ezvpn_title }}</h2>
<table class="tunnels">
<thead><tr>{% for h in ezvpn_header %}<th>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>
{%- for r in ezvpn_rows %}
<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>
{%- endfor %}
</tbody>
</table>
</section>
{%- endif %}
<footer>ipsec-ops health report &middot; {{ generated_at }}</footer>
</main>
<script>{{ script }}</script>
</body>
</html>
"""

# One finding: the summary line is always visible, evidence and next steps on demand.
FINDING_MACRO = """\
{% macro finding(f) -%}
<details class="finding h-{{ f.health }}">
<summary><code>{{ f.code }}</code> <span class="sub">{{ f.severity }}</span>
{{ f.summary }}</summary>
<div class="body">
{%- if f.evidence %}
<h4>Evidence</h4>
<pre>{{ f.evidence }}</pre>
{%- endif %}
{%- if f.next_steps %}
<h4>Next steps</h4>
<ol>
{%- for step in f.next_steps %}
<li>{{ step }}</li>
{%- endfor %}
</ol>
{%- endif %}
</div>
</details>
{%- endmacro -%}
"""
