"""The review page: plain HTML and vanilla JS, the sample inlined.

Verdicts are sent in small batches (at 5 queued, after a short pause, at the end
of the sample, and by sendBeacon when the tab closes), so that a 50-item review
costs one page load and about ten POSTs, and a keystroke never waits on the
network: the page moves on at once and the status line shows what is unsaved.
"""
from __future__ import annotations

import json

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<link rel="icon" href="data:,">
<title>Match review</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#fafafa;color:#222}
header{display:flex;gap:1.5em;align-items:baseline;padding:.6em 1em;background:#233;color:#eee}
header b{font-size:1.1em} #status.unsaved{color:#fc6} #status.error{color:#f88}
main{display:grid;grid-template-columns:1fr 1.3fr 1fr;gap:1em;padding:1em}
section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8em}
h2{font-size:1em;margin:0 0 .5em;color:#555;text-transform:uppercase;letter-spacing:.05em}
.big{font-size:1.25em;font-weight:600} .muted{color:#777} table{border-collapse:collapse}
td{padding:1px 6px} ol{padding-left:2.2em;margin:.3em 0} li.matched{background:#ffe9a8;font-weight:600}
.verdict{display:inline-block;padding:2px 8px;border-radius:4px;background:#ddd}
.v-accept{background:#bfe7c0} .v-reject,.v-not_on_aoty{background:#f5c0c0} .v-pick{background:#c7dcf7}
nav{padding:0 1em 1em;display:flex;gap:.5em;flex-wrap:wrap}
button{font:inherit;padding:.3em .8em} kbd{border:1px solid #aaa;border-radius:3px;padding:0 4px;background:#f4f4f4}
.cand{margin:.4em 0} #done{padding:2em;font-size:1.2em}
</style></head>
<body>
<header><b>Match review</b><span id="pos"></span><span id="who"></span><span id="status"></span></header>
<nav>
<button data-k="a"><kbd>a</kbd> accept</button><button data-k="r"><kbd>r</kbd> reject</button>
<button data-k="1"><kbd>1</kbd>-<kbd>3</kbd> pick candidate</button><button data-k="n"><kbd>n</kbd> not on AOTY</button>
<button data-k="k"><kbd>k</kbd>/<kbd>&larr;</kbd> prev</button><button data-k="j"><kbd>j</kbd>/<kbd>&rarr;</kbd> next</button>
</nav>
<div id="item"></div>
<script id="sample" type="application/json">__SAMPLE__</script>
<script>
"use strict";
const DATA = JSON.parse(document.getElementById("sample").textContent);
const items = DATA.items;
let pos = 0, inflight = 0, saved = 0, timer = null;
const queue = [];
const state = window.__review = {latencies: [], handler: [], saved: () => saved, pending: () => queue.length + inflight, errors: [], lastError: null};
const fail = msg => { state.errors.push(msg); state.lastError = msg; };
const $ = id => document.getElementById(id);
const esc = s => s == null ? "" : String(s).replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
const num = x => x == null ? "-" : (Math.abs(x) > 1.5 ? x.toFixed(1) : x.toFixed(3));
const mmss = s => s == null ? "" : Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");

function albumHtml(a, trackTitle) {
  if (!a) return '<p class="muted">no album chosen</p>';
  if (a.missing) return `<p>album ${a.id} is not in raw_aoty.albums (<a href="${esc(a.url)}" target="_blank">${esc(a.url)}</a>)</p>`;
  const tracks = a.tracks.map(t => `<li value="${t.number ?? ""}" class="${t.matched ? "matched" : ""}">${t.matched ? "&#9654; " : ""}${esc(t.title)} <span class="muted">${mmss(t.duration_s)}${t.disc > 1 ? " · disc " + t.disc : ""}</span></li>`).join("");
  return `<div class="big">${esc(a.title)}</div><div>${esc(a.artist)} · ${a.year ?? "?"} · ${esc(a.format)}</div>
    <div><a href="${esc(a.url)}" target="_blank" rel="noopener">${esc(a.url)}</a></div>
    <div>track: <b>${esc(trackTitle) || '<span class="muted">(album-level match)</span>'}</b></div><ol>${tracks}</ol>`;
}

function render() {
  if (!items.length) { $("item").innerHTML = '<p id="done">Nothing to review: every match in the sample is reviewed (use --include-reviewed to see them again).</p>'; $("pos").textContent = "0 / 0"; status(); return; }
  const it = items[pos], m = it.match, l = it.lastfm;
  const v = it.verdict ? `<span class="verdict v-${it.verdict.verdict}">${esc(it.verdict.verdict)}${it.verdict.pick ? " " + it.verdict.pick : ""}</span>` : '<span class="muted">not reviewed</span>';
  const cands = it.candidates.length ? it.candidates.map((c, i) => `<div class="cand"><kbd>${i + 1}</kbd> <b>${esc(c.track_title) || "(album)"}</b> on ${esc(c.album_title)} — ${esc(c.artist)} (${c.year ?? "?"}) score ${num(c.score)} <a href="${esc(c.url)}" target="_blank" rel="noopener">AOTY</a></div>`).join("") : '<p class="muted">no other candidates</p>';
  const comp = m.components;
  $("item").dataset.key = it.key;
  $("item").innerHTML = `<main>
    <section><h2>Last.fm</h2><div class="big">${esc(l.track)}</div><div>${esc(l.artist)}</div><div class="muted">album: ${esc(l.album) || "(none)"}</div>
      <p><b>${l.plays}</b> plays</p><div class="muted">last played:<br>${l.recent.map(d => esc(String(d).replace("T", " ").slice(0, 16))).join("<br>")}</div></section>
    <section><h2>AOTY match</h2>${albumHtml(m.album, m.track_title)}</section>
    <section><h2>Score</h2><div class="big">${num(m.score)} · ${esc(m.confidence)}</div><div>${esc(m.match_type)}</div>
      <table><tr><td>artist</td><td>${num(comp.artist)}</td></tr><tr><td>album</td><td>${num(comp.album)}</td></tr><tr><td>track</td><td>${num(comp.track)}</td></tr></table>
      <div class="muted">${esc(m.reason)}</div><p>verdict: <span id="verdict">${v}</span></p>
      <h2>Other candidates</h2>${cands}</section></main>`;
  $("pos").textContent = `${pos + 1} / ${items.length}`;
  status();
}

function status() {
  const done = items.filter(it => it.verdict).length, pend = queue.length + inflight;
  const el = $("status");
  el.textContent = `${done} reviewed · ${pend ? pend + " unsaved" : "all saved"}` + (state.lastError ? " · " + state.lastError : "");
  el.className = state.lastError ? "error" : (pend ? "unsaved" : "");
  el.dataset.pending = String(pend);
}

function give(verdict, pick) {
  if (!items.length) return;
  const it = items[pos];
  if (verdict === "pick" && !it.candidates[pick - 1]) { fail(`no candidate ${pick} for this key`); status(); return; }
  state.lastError = null;  // a new verdict: the last complaint is answered
  it.verdict = {verdict, pick};
  queue.push({key: it.key, verdict, pick});
  const last = items.every(x => x.verdict);
  if (pos < items.length - 1) pos++;
  render();
  clearTimeout(timer);
  if (queue.length >= 5 || last) flush(); else timer = setTimeout(flush, 800);
}

async function flush() {
  if (inflight || !queue.length) return;
  const batch = queue.splice(0, queue.length);
  inflight = batch.length; status();
  let retry = false;
  try {
    const r = await fetch("/api/verdicts", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify({verdicts: batch})});
    const body = await r.json();
    if (r.ok) saved += body.saved;
    else if (r.status === 400) fail(body.error);
    else { fail(body.error); queue.unshift(...batch); retry = true; }
  } catch (e) { fail("server unreachable, will retry"); queue.unshift(...batch); retry = true; }
  inflight = 0; status();
  if (queue.length) timer = setTimeout(flush, retry ? 2000 : 0);
}

window.addEventListener("pagehide", () => {
  if (queue.length) navigator.sendBeacon("/api/verdicts", new Blob([JSON.stringify({verdicts: queue.splice(0)})], {type: "application/json"}));
});

function key(k) {
  switch (k) {
    case "a": give("accept"); return true;
    case "r": give("reject"); return true;
    case "n": give("not_on_aoty"); return true;
    case "1": case "2": case "3": give("pick", Number(k)); return true;
    case "j": case "ArrowRight": if (pos < items.length - 1) { pos++; render(); } return true;
    case "k": case "ArrowLeft": if (pos > 0) { pos--; render(); } return true;
  }
  return false;
}
document.addEventListener("keydown", e => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t0 = performance.now();
  if (key(e.key)) {
    e.preventDefault();
    state.handler.push(performance.now() - t0);  // our own work: state, DOM, queue
    requestAnimationFrame(() => state.latencies.push(performance.now() - t0));  // until the frame that shows it
  }
});
document.querySelectorAll("nav button").forEach(b => b.addEventListener("click", () => { key(b.dataset.k); b.blur(); }));
$("who").textContent = "reviewer: " + DATA.reviewer;
render();
</script></body></html>
"""


def render_page(session) -> str:
    data = json.dumps({"reviewer": session.reviewer, "items": session.items})
    # No "<" at all inside the <script> element ("</script>", "<!--"): JSON reads \u003c back as "<".
    return _PAGE.replace("__SAMPLE__", data.replace("<", "\\u003c"))

