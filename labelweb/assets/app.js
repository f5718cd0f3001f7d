// stance label's page: shows /api/state and posts answers. Every answer is saved (fsync) before
// the server replies; the page shows "saved" only then.
"use strict";

let state = null;
const $ = (id) => document.getElementById(id);
const colours = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1"];

async function call(path, body) {
  const opt = body === undefined ? {} : {
    method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body),
  };
  const res = await fetch(path, opt);
  const json = await res.json();
  if (!res.ok) throw new Error(json.error || res.statusText);
  return json;
}

function say(text, error) {
  const m = $("message");
  m.textContent = text;
  m.className = error ? "error" : "";
}

function show(st) {
  const prev = state && state.comment ? state.comment.id : null;
  state = st;
  const c = st.comment;
  $("done").hidden = !!c;
  $("card").dataset.id = c ? c.id : "";
  const text = $("text"), title = $("article-title"), lead = $("article-lead");
  text.textContent = c ? c.text : "";
  text.dir = c ? c.dir : "ltr";
  title.textContent = c ? c.article_title || "" : "";
  lead.textContent = c ? c.article_lead || "" : "";
  $("article").dir = c && c.article_dir ? c.article_dir : "ltr";
  $("article").hidden = !c || (!c.article_title && !c.article_lead);
  if (!c || c.id !== prev) $("note").value = "";
  for (const row of document.querySelectorAll(".head")) {
    const chosen = c ? c.labels[row.dataset.head] : undefined;
    for (const b of row.querySelectorAll("button.class")) {
      b.classList.toggle("chosen", b.dataset.class === chosen);
      b.disabled = !c;
    }
  }
  $("skip").disabled = !c;
  progress(st.status);
}

function progress(s) {
  $("totals").textContent = `${s.labelled} of ${s.pool} comments labelled, ${s.skipped} skipped` +
    (s.cold ? " · cold start: keywords, then articles in turn" : " · asking by margin, with diversity");
  const counts = $("counts");
  counts.replaceChildren();
  for (const [head, cls] of Object.entries(s.counts)) {
    const t = document.createElement("table");
    const cap = t.createCaption();
    cap.textContent = head;
    for (const [cl, n] of Object.entries(cls)) {
      const tr = t.insertRow();
      tr.insertCell().textContent = cl;
      const td = tr.insertCell();
      td.textContent = n;
      td.className = "n";
    }
    counts.append(t);
  }
  let tr = "";
  if (s.training) tr = "training in the background… ";
  if (s.trained) {
    const at = new Date(s.trained.at).toLocaleTimeString();
    tr += `last trained at ${at} on ${s.trained.labels} labels (fitted in ${s.trained.fit_seconds.toFixed(1)} s, cross-validated in ${(s.trained.seconds - s.trained.fit_seconds).toFixed(1)} s more)`;
    const last = s.curve.length ? s.curve[s.curve.length - 1].official : {};
    const figs = Object.entries(last).map(([h, v]) => `${h} ${s.trained.metric[h]} ${v.toFixed(3)}`);
    if (figs.length) tr += `; cross-validated: ${figs.join(", ")}`;
    if (s.trained.cv_note) tr += `; no cross-validation: ${s.trained.cv_note}`;
  } else if (!s.training) {
    tr += "no model yet";
  }
  if (s.error) tr += ` · training failed: ${s.error}`;
  $("training").textContent = tr;
  $("outlook").textContent = s.curve.length ? `More labels: ${s.outlook}` : "";
  curve(s.curve);
  if (document.activeElement !== $("keyword-box")) $("keyword-box").value = (s.keywords || []).join(", ");
}

function curve(points) {
  const svg = $("curve");
  svg.replaceChildren();
  const ns = "http://www.w3.org/2000/svg";
  if (!points.length) return;
  const heads = [...new Set(points.flatMap((p) => Object.keys(p.official)))];
  const maxN = Math.max(...points.map((p) => p.labels)), minN = Math.min(...points.map((p) => p.labels));
  const x = (n) => 30 + 260 * (n - minN) / Math.max(1, maxN - minN), y = (v) => 135 - 125 * v;
  heads.forEach((h, i) => {
    const pl = document.createElementNS(ns, "polyline");
    pl.setAttribute("points", points.filter((p) => h in p.official).map((p) => `${x(p.labels)},${y(p.official[h])}`).join(" "));
    pl.setAttribute("stroke", colours[i % colours.length]);
    svg.append(pl);
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", 34);
    t.setAttribute("y", 12 + 10 * i);
    t.setAttribute("fill", colours[i % colours.length]);
    t.textContent = h;
    svg.append(t);
  });
  for (const [v, label] of [[0, "0"], [1, "1"]]) {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", 2);
    t.setAttribute("y", y(v) + 3);
    t.textContent = label;
    svg.append(t);
  }
  for (const [n, xpos, anchor] of [[minN, 30, "start"], [maxN, 290, "end"]]) {
    const t = document.createElementNS(ns, "text");
    t.setAttribute("x", xpos);
    t.setAttribute("y", 148);
    t.setAttribute("text-anchor", anchor);
    t.textContent = `${n} labels`;
    svg.append(t);
  }
}

async function act(path, body, done) {
  try {
    const st = await call(path, body);
    show(st);
    say(done(st));
  } catch (e) {
    say(e.message, true);
  }
}

function answer(head, cls) {
  if (!state || !state.comment) return;
  act("/api/answer", {id: state.comment.id, head, label: cls, note: $("note").value}, () => `saved: ${head} ${cls}`);
}

function skip() {
  if (!state || !state.comment) return;
  act("/api/skip", {id: state.comment.id, note: $("note").value}, () => "skipped");
}

function undo() {
  act("/api/undo", {}, (st) => `undone: ${st.undone}`);
}

document.addEventListener("DOMContentLoaded", async () => {
  for (const b of document.querySelectorAll("button.class")) {
    b.addEventListener("click", () => answer(b.closest(".head").dataset.head, b.dataset.class));
  }
  $("skip").addEventListener("click", skip);
  $("undo").addEventListener("click", undo);
  $("keywords").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const queries = $("keyword-box").value.split(",").map((q) => q.trim()).filter((q) => q);
    act("/api/keywords", {queries}, () => queries.length ? `asking comments with ${queries.join(", ")} first` : "seed queries cleared");
    $("keyword-box").blur();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.target instanceof HTMLInputElement || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === " ") { ev.preventDefault(); skip(); return; }
    if (ev.key === "Backspace") { ev.preventDefault(); undo(); return; }
    const b = document.querySelector(`button.class[data-key="${CSS.escape(ev.key.toLowerCase())}"]`);
    if (b) { ev.preventDefault(); answer(b.closest(".head").dataset.head, b.dataset.class); }
  });
  try {
    show(await call("/api/state"));
  } catch (e) {
    say(e.message, true);
  }
  // The progress (a training finishing in the background) is refreshed every few seconds.
  setInterval(async () => {
    try {
      const st = await call("/api/state");
      progress(st.status);
    } catch (e) { /* the next answer reports it */ }
  }, 3000);
});
