// The 25-minute drill (DESIGN.md Contract 4): three archetypes, eight minutes each with a countdown, one
// paragraph per STAR-DRIVE letter, then the lesson's self-assessment. Uses the page's helpers ($, el, api,
// errorOf, title, ARCHETYPES, PARTS, go, store) from its inline script.
"use strict";
const DIMENSION_TITLES = {
  coverage_discovery: "Coverage discovery", tradeoff_articulation: "Trade-off articulation",
  reflection_specificity: "Reflection specificity", structural_change_driver: "Structural-change driver",
};
const LEVEL_TITLES = {weak: "Weak", passing: "Passing", strong: "Strong", staff: "Staff bar"};
const PART_HINTS = {
  situation: "Scale, stakes, your role — under 30 seconds.",
  tradeoff: "The two sides you weighed, in terms an interviewer can grade: 'X against Y'.",
  action: "What YOU did: 'I proposed', 'I made the call'.",
  result: "At least one number, and where it came from.",
  driver: "What outlived the project: the template, gate or policy still in use.",
  reflection: "One specific thing you'd do differently, and why.",
};
const drill = {data: null, current: null, tick: null, skew: 0, saveTimer: null, saving: Promise.resolve()};

VIEWS.drill = {section: "drill", show: (q) => openDrill(q.get("drill"))};

function drillSetup() {
  const box = $("drill-setup");
  if (box.dataset.built) return;
  box.dataset.built = "1";
  const picks = el("div", {id: "drill-archetypes", testid: "drill-archetypes"});
  for (const [id, name] of Object.entries(ARCHETYPES)) {
    picks.append(el("label", {}, el("input", {type: "checkbox", value: id}), " " + name));
  }
  box.append(
    el("p", {}, "25 minutes: three archetypes you have no solid story for yet, 8 minutes each. Write a " +
      "STAR-DRIVE outline — one paragraph per letter. The goal is not polish: it is finding out which " +
      "archetypes you actually have material for. A story you cannot find is the drill's most important finding."),
    el("p", {class: "muted"}, "Choose three below, or none and the drill picks the gaps in your story bank."),
    picks,
    el("button", {id: "start-drill", testid: "start-drill", onclick: startDrill}, "Start drill"),
    el("h3", {}, "Your drills"), el("table", {id: "drill-list", testid: "drill-list"}));
}

async function listDrills() {
  const res = await api("/api/drills?limit=50");
  if (!res.ok) { $("drill-error").textContent = await errorOf(res); return; }
  const rows = await res.json();
  const table = $("drill-list");
  if (!rows.length) { table.replaceChildren(el("tr", {}, el("td", {class: "muted"}, "No drills yet."))); return; }
  table.replaceChildren(...rows.map((r) => el("tr", {testid: "drill-row"},
    el("td", {}, new Date(r.started_at).toLocaleString()),
    el("td", {}, ...r.archetypes.map((a) => el("div", {}, title(a) + (r.levels[a] ? `: ${r.levels[a]}` : "")))),
    el("td", {}, r.status === "finished" ? (r.gaps.length ? `${r.gaps.length} archetypes without material` : "no gaps left") : "in progress"),
    el("td", {}, el("button", {testid: "drill-open", onclick: () => go({view: "drill", drill: r.id})},
      r.status === "finished" ? "Open report" : "Resume")))));
}

async function startDrill() {
  $("drill-error").textContent = "";
  const chosen = [...document.querySelectorAll("#drill-archetypes input:checked")].map((x) => x.value);
  if (chosen.length && chosen.length !== 3) {
    $("drill-error").textContent = `Choose exactly three archetypes (or none): ${chosen.length} chosen.`;
    return;
  }
  const res = await api("/api/drills", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(chosen.length ? {archetypes: chosen} : {})});
  if (!res.ok) { $("drill-error").textContent = await errorOf(res); return; }
  const data = await res.json();
  go({view: "drill", drill: data.id});
}

async function openDrill(id) {
  clearInterval(drill.tick);
  $("drill-error").textContent = "";
  $("drill-work").hidden = true; $("drill-report").replaceChildren();
  drillSetup();
  $("drill-setup").hidden = !!id;
  if (!id) { drill.data = null; await listDrills(); return; }
  const res = await api(`/api/drills/${encodeURIComponent(id)}`);
  if (!res.ok) { $("drill-error").textContent = await errorOf(res); return; }
  drill.data = await res.json();
  if (drill.data.status === "finished") { renderReport(drill.data.report); return; }
  $("drill-work").hidden = false;
  renderTabs();
  const open = drill.data.archetypes.find((a) => !isDone(a)) || drill.data.archetypes[0];
  await openStory(open);
  drill.tick = setInterval(updateCountdown, 250);
}

function isDone(archetype) {
  const o = drill.data.outlines[archetype];
  return !!o && Object.keys(o.parts).length === 6;
}

function renderTabs() {
  const tabs = drill.data.archetypes.map((a, i) => el("button", {
    class: "drill-tab" + (a === drill.current ? " current" : ""), testid: "drill-story",
    onclick: () => openStory(a), ariaPressed: String(a === drill.current),
  }, `${i + 1}. ${title(a)}`));
  tabs.forEach((t, i) => { t.dataset.archetype = drill.data.archetypes[i]; });
  $("drill-tabs").replaceChildren(...tabs);
  const others = Object.keys(ARCHETYPES).filter((a) => !drill.data.archetypes.includes(a));
  $("drill-gaps").replaceChildren(el("legend", {}, "Before you finish: which archetypes do you still have no material for?"),
    ...others.map((a) => el("label", {}, el("input", {type: "checkbox", value: a}), " " + title(a))));
}

async function openStory(archetype) {
  await flushSave();
  drill.current = archetype;
  renderTabs();
  const saved = drill.data.outlines[archetype];
  const parts = saved ? saved.parts : {};
  let unsaved = false;  // words typed here that never reached the server (a closed tab, a failed save)
  const fields = Object.entries(PARTS).map(([part, name]) => {
    const local = store.get(`drill:${drill.data.id}:${archetype}:${part}`);
    if (local !== null && local !== (parts[part] ?? "")) unsaved = true;
    const area = el("textarea", {id: `drill-${part}`, rows: 3, value: local ?? parts[part] ?? "",
      placeholder: PART_HINTS[part], ariaLabel: name});
    area.dataset.testid = `drill-part-${part}`;
    area.addEventListener("input", () => {
      store.set(`drill:${drill.data.id}:${archetype}:${part}`, area.value);
      clearTimeout(drill.saveTimer);
      drill.saveTimer = setTimeout(() => saveOutline(archetype), 700);
    });
    area.addEventListener("blur", () => flushSave());
    return el("div", {class: "drill-part"}, el("label", {htmlFor: `drill-${part}`}, el("strong", {}, name)), area);
  });
  $("drill-story").replaceChildren(el("h3", {}, title(archetype)), ...fields);
  // Opening a story starts its eight minutes (the server keeps when: a reload keeps the clock).
  if (!saved || unsaved) await saveOutline(archetype);
  updateCountdown();
  fields[0].querySelector("textarea").focus();
}

function currentParts(archetype) {
  const parts = {};
  if (drill.current !== archetype) return drill.data.outlines[archetype]?.parts || {};
  for (const part of Object.keys(PARTS)) {
    const v = $(`drill-${part}`).value;
    if (v.trim()) parts[part] = v;
  }
  return parts;
}

function saveOutline(archetype) {
  clearTimeout(drill.saveTimer); drill.saveTimer = null;
  const parts = currentParts(archetype);
  const id = drill.data.id;
  drill.saving = drill.saving.then(async () => {
    $("drill-saved").textContent = "Saving…";
    try {
      const res = await api(`/api/drills/${id}/outlines/${archetype}`, {method: "PUT",
        headers: {"Content-Type": "application/json"}, body: JSON.stringify({parts})});
      if (!res.ok) { $("drill-saved").textContent = `Not saved: ${await errorOf(res)} (your text is kept here)`; return; }
      const data = await res.json();
      const outline = data.outlines[archetype];
      drill.skew = Date.parse(outline.saved_at) - Date.now();
      drill.data.outlines = data.outlines;
      for (const part of Object.keys(PARTS)) {
        if ((outline.parts[part] ?? "") === (parts[part] ?? "")) store.drop(`drill:${id}:${archetype}:${part}`);
      }
      $("drill-saved").textContent = "Saved.";
      if (drill.current === archetype) renderTabs();
    } catch (err) {
      $("drill-saved").textContent = `Not saved: ${err.message || err} (your text is kept here)`;
    }
  });
  return drill.saving;
}

function flushSave() {
  if (drill.saveTimer && drill.current) return saveOutline(drill.current);
  return drill.saving;
}

function updateCountdown() {
  const o = drill.data && drill.current && drill.data.outlines[drill.current];
  const box = $("drill-countdown");
  if (!o) { box.textContent = `${fmt(drill.data ? drill.data.time_box_seconds : 480)} left`; return; }
  const left = Math.round((Date.parse(o.started_at) + drill.data.time_box_seconds * 1000 - (Date.now() + drill.skew)) / 1000);
  box.classList.toggle("over", left < 0);
  box.textContent = left >= 0 ? `${fmt(left)} left for ${title(drill.current)}`
    : `Time's up — ${fmt(-left)} over. Move on to the next story.`;
}
function fmt(s) { return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`; }

async function finishDrill() {
  await flushSave();
  const gaps = [...document.querySelectorAll("#drill-gaps input:checked")].map((x) => x.value);
  if (!confirm("Finish the drill and see the self-assessment? Outlines cannot change after that.")) return;
  const res = await api(`/api/drills/${drill.data.id}/finish`, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({gaps})});
  if (!res.ok) { $("drill-error").textContent = await errorOf(res); return; }
  clearInterval(drill.tick);
  drill.data.status = "finished";
  $("drill-work").hidden = true;
  renderReport(await res.json());
}

function renderReport(r) {
  const rows = Object.entries(r.self_assessment).map(([dim, a]) => el("tr", {testid: "drill-dimension"},
    el("th", {}, DIMENSION_TITLES[dim] || dim), el("td", {class: `level ${a.level}`}, LEVEL_TITLES[a.level]),
    el("td", {}, a.reason)));
  const parts = [el("h2", {}, "Drill self-assessment"),
    el("table", {}, el("tr", {}, el("th", {}, "Dimension"), el("th", {}, "Level"), el("th", {}, "Why")), ...rows)];
  parts.push(el("p", {testid: "drill-gap-list"}, r.gaps.length
    ? `Still without material: ${r.gaps.map(title).join(", ")}. Naming the gaps is worth more than the stories you already had.`
    : "Every archetype has material in your bank or in this drill."));
  if (r.same_project.length) parts.push(el("p", {class: "error"}, "Same project told for more than one archetype: " +
    r.same_project.map((p) => p.map(title).join(" & ")).join("; ") + "."));
  for (const o of Object.values(r.outlines)) parts.push(outlineSection(o));
  $("drill-report").replaceChildren(...parts);
  $("drill-report").scrollIntoView({block: "start"});
}

function outlineSection(o) {
  const section = el("section", {testid: "drill-outline"}, el("h3", {}, o.title));
  if (!o.grade) { section.append(el("p", {class: "muted"}, "Nothing written: this archetype is a gap.")); return section; }
  section.append(el("p", {}, "Level: ", el("strong", {}, o.grade.level),
    o.material ? "" : " · no story yet (a Situation and an Action make one)", o.over_time ? " · over the 8 minutes" : ""));
  section.append(el("ul", {class: "verdicts"}, ...Object.entries(o.grade.parts).map(([part, g]) =>
    el("li", {}, `${PARTS[part]}: `, el("span", {class: g.verdict}, g.verdict), g.note ? ` — ${g.note}` : ""))));
  section.append(saveToBank(o.archetype, o.text, `${o.title} (drill)`));
  return section;
}

$("finish-drill").onclick = () => finishDrill();
