// Progress over time: GET /api/progress drawn with uPlot (vendored under /static/vendor/uplot), one chart for
// first answers and one after the follow-ups, a line per STAR-DRIVE part; levels per archetype in a table;
// and the debrief's "since last time". Uses the page's helpers from its inline script.
"use strict";
const SCORE = {met: 1, partial: 0.5, missing: 0};
const PART_COLORS = {situation: "#7a869a", tradeoff: "#c0392b", action: "#243b6b", result: "#1e8449",
  driver: "#b9770e", reflection: "#8e44ad"};
const progress = {charts: []};

VIEWS.progress = {section: "progress-view", show: () => openProgress()};

// Sessions (finished interviews and drills) in time order, each with its mean score per part.
function sessionsOf(data) {
  const byId = new Map();
  for (const [part, points] of Object.entries(data.parts)) {
    for (const p of points) {
      const id = p.interview_id || p.drill_id;
      if (!byId.has(id)) byId.set(id, {id, at: p.at, kind: p.interview_id ? "Interview" : "Drill", parts: {}});
      const s = byId.get(id);
      (s.parts[part] ||= {first: [], final: []});
      s.parts[part].first.push(SCORE[p.first]); s.parts[part].final.push(SCORE[p.final]);
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...byId.values()].sort((a, b) => a.at.localeCompare(b.at)).map((s) => ({...s,
    first: Object.fromEntries(Object.entries(s.parts).map(([k, v]) => [k, mean(v.first)])),
    final: Object.fromEntries(Object.entries(s.parts).map(([k, v]) => [k, mean(v.final)]))}));
}

async function openProgress() {
  const box = $("progress-view");
  progress.charts.forEach((c) => c.destroy()); progress.charts = [];
  const res = await api("/api/progress");
  if (!res.ok) { box.replaceChildren(el("p", {class: "error"}, await errorOf(res))); return; }
  const data = await res.json();
  const sessions = sessionsOf(data);
  box.replaceChildren(el("h2", {}, "Progress over time"));
  if (!sessions.length) {
    box.append(el("p", {testid: "progress-empty", class: "muted"}, "Finish an interview or a drill to see your progress here."));
    return;
  }
  box.append(el("p", {class: "muted"}, "Each line is one STAR-DRIVE part: 1 = met in every answer of that session, " +
    "0.5 = partial, 0 = missing. Interviews and drills in the order you finished them."));
  for (const [key, label] of [["first", "First answers"], ["final", "After follow-up questions"]]) {
    const holder = el("div", {class: "chart", testid: `progress-chart-${key}`});
    box.append(el("h3", {}, label), holder);
    progress.charts.push(drawChart(holder, sessions, key));
  }
  box.append(el("h3", {}, "Levels per archetype"), levelTable(data, sessions));
}

function drawChart(holder, sessions, key) {
  const xs = sessions.map((_, i) => i + 1);
  // Lines that share a value would hide each other: each part is nudged a little off it (the legend and
  // the axis read the value itself).
  const nudge = (i) => (i - 2.5) * 0.012;
  const raw = Object.keys(PARTS).map((part) => sessions.map((s) => s[key][part] ?? null));
  const series = raw.map((values, i) => values.map((v) => v == null ? null : v + nudge(i)));
  const width = Math.max(280, Math.min(holder.parentElement.clientWidth || 700, 760));
  const opts = {
    width, height: 220,
    scales: {x: {time: false, range: [0.8, Math.max(xs.length, 1) + 0.2]}, y: {range: [-0.05, 1.05]}},
    axes: [
      {values: (u, ticks) => ticks.map((t) => Number.isInteger(t) && sessions[t - 1] ? `#${t}` : ""), incrs: [1]},
      {values: (u, ticks) => ticks.map((t) => ({0: "missing", 0.5: "partial", 1: "met"})[t] ?? ""), incrs: [0.5], size: 64},
    ],
    series: [{label: "Session", value: (u, v) => v == null ? "—" : `#${v} ${sessions[v - 1].kind} ${new Date(sessions[v - 1].at).toLocaleDateString()}`},
      ...Object.entries(PARTS).map(([part, name]) => ({label: name, stroke: PART_COLORS[part], width: 2,
        points: {show: true, size: 6}, spanGaps: true, value: (u, v, si, i) => i == null || raw[si - 1][i] == null ? "—" : raw[si - 1][i].toFixed(2)}))],
  };
  return new uPlot(opts, [xs, ...series], holder);
}

function levelTable(data, sessions) {
  const table = el("table", {testid: "progress-levels"});
  table.append(el("tr", {}, el("th", {}, "Archetype"), el("th", {}, "First → after follow-up, oldest first")));
  for (const [arch, points] of Object.entries(data.archetypes)) {
    const cells = points.map((p) => {
      const n = sessions.findIndex((s) => s.id === (p.interview_id || p.drill_id)) + 1;
      return el("span", {class: "level-step"}, `#${n} ${p.first === p.level ? p.level : `${p.first} → ${p.level}`}`);
    });
    table.append(el("tr", {testid: "progress-archetype"}, el("th", {}, title(arch)), el("td", {}, ...cells)));
  }
  return table;
}

// The debrief's "what improved since last time" (service/report/progress.py).
function sinceLast(s) {
  return el("div", {class: "fix since-last", testid: "since-last"}, el("strong", {}, "Since last time: "),
    s.summary.replace(/^Since your last interview: /, ""));
}
