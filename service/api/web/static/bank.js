// The story bank: list, add, remove; the eight-archetype coverage matrix from /api/stories/audit; reuse flags
// (a project used for more than two archetypes) shown live as a story is typed; and "save to story bank",
// one click from a debrief or a drill report. Uses the page's helpers from its inline script.
"use strict";
const MAX_ARCHETYPES_PER_PROJECT = 2;  // the seed's pre-loop check: no project covers more than two
const bank = {stories: [], built: false};

VIEWS.bank = {section: "bank", show: () => openBank()};

function buildBank() {
  if (bank.built) return;
  bank.built = true;
  const select = el("select", {id: "story-archetype", ariaLabel: "archetype"},
    ...Object.entries(ARCHETYPES).map(([id, name]) => el("option", {value: id}, name)));
  select.dataset.testid = "story-archetype";
  const field = (id, {tag = "input", ...props}, label) => {
    const input = el(tag, {id, ...props});
    input.dataset.testid = id;
    return el("label", {class: "field"}, label, input);
  };
  $("bank").append(
    el("h2", {}, "Your story bank"),
    el("p", {class: "muted"}, "One STAR-DRIVE story per archetype, each from its own project: " +
      "the interviewer notices when the same project keeps showing up."),
    el("h3", {}, "Coverage"),
    el("table", {id: "coverage-matrix", testid: "coverage-matrix"}),
    el("div", {id: "reuse-flags", testid: "reuse-flags"}),
    el("h3", {}, "Stories"),
    el("p", {id: "bank-empty", class: "muted", hidden: true}, "No stories yet: add one below, or save one from a debrief."),
    el("ul", {id: "story-list", testid: "story-list"}),
    el("h3", {}, "Add a story"),
    el("div", {class: "story-form"},
      field("story-title", {type: "text", maxLength: 200}, "Title"),
      el("label", {class: "field"}, "Archetype", select),
      field("story-project", {type: "text", maxLength: 200}, "Project"),
      field("story-year", {type: "number", min: 1950, max: 2100}, "Year (optional)"),
      el("p", {id: "reuse-live", testid: "reuse-live", class: "flag", role: "status"}),
      field("story-text", {tag: "textarea", rows: 8, placeholder: "The whole story, S-T-A-R-D-E."}, "Story"),
      el("div", {class: "controls"}, el("button", {id: "add-story", testid: "add-story", onclick: addStory}, "Add story"),
        el("span", {id: "bank-error", testid: "bank-error", class: "error", role: "alert"}))));
  for (const id of ["story-project", "story-archetype"]) $(id).addEventListener("input", liveReuse);
}

async function openBank() {
  buildBank();
  await refreshBank();
}

async function refreshBank() {
  const [list, audit] = await Promise.all([api("/api/stories"), api("/api/stories/audit")]);
  if (!list.ok || !audit.ok) { $("bank-error").textContent = await errorOf(list.ok ? audit : list); return; }
  bank.stories = await list.json();
  renderStories();
  renderAudit(await audit.json());
  liveReuse();
}

function renderStories() {
  $("bank-empty").hidden = bank.stories.length > 0;
  $("story-list").replaceChildren(...bank.stories.map((s) => el("li", {testid: "story-row"},
    el("strong", {}, s.title), ` — ${title(s.archetype)} · ${s.project}${s.year ? ` (${s.year})` : ""} · `,
    el("span", {class: `level ${s.grade ? s.grade.level : ""}`}, s.grade ? s.grade.level : "ungraded"), " ",
    el("button", {testid: "remove-story", onclick: () => removeStory(s)}, "Remove"))));
}

function renderAudit(a) {
  const rows = a.matrix.map((row) => el("tr", {testid: "coverage-row", class: row.covered ? "covered" : "uncovered"},
    el("th", {}, row.title), el("td", {}, row.covered ? "✓" : "—"),
    el("td", {}, row.stories.length ? row.stories.map((s) => `${s.title} (${s.project}${s.year ? ` / ${s.year}` : ""})`).join("; ")
      : "No story yet")));
  rows.forEach((r, i) => { r.dataset.archetype = a.matrix[i].archetype; });
  $("coverage-matrix").replaceChildren(el("tr", {}, el("th", {}, "Archetype"), el("th", {}, "Covered"), el("th", {}, "Story (project / year)")), ...rows);
  const flags = [];
  for (const [project, archs] of Object.entries(a.projects_over_two_archetypes)) {
    flags.push(el("li", {testid: "reuse-flag"}, `Project “${project}” covers ${archs.length} archetypes (${archs.map(title).join(", ")}): no project should cover more than two.`));
  }
  for (const pair of a.projects_reused) {
    flags.push(el("li", {testid: "reuse-pair"}, `“${pair.titles[0]}” and “${pair.titles[1]}” read as the same project (${pair.archetypes.map(title).join(" & ")}).`));
  }
  $("reuse-flags").replaceChildren(...(flags.length ? [el("h4", {}, "Reuse flags"), el("ul", {class: "flag"}, ...flags)] : []));
}

// As the project is typed: would this story make the project cover more than two archetypes?
function liveReuse() {
  const project = $("story-project").value.trim().toLowerCase();
  const archetype = $("story-archetype").value;
  const archs = new Set(bank.stories.filter((s) => s.project.trim().toLowerCase() === project).map((s) => s.archetype));
  archs.add(archetype);
  $("reuse-live").textContent = project && archs.size > MAX_ARCHETYPES_PER_PROJECT
    ? `“${$("story-project").value.trim()}” would cover ${archs.size} archetypes (${[...archs].map(title).join(", ")}): pick a story from another project.`
    : "";
}

async function addStory() {
  $("bank-error").textContent = "";
  const year = $("story-year").value.trim();
  const body = {title: $("story-title").value, archetype: $("story-archetype").value,
    project: $("story-project").value, text: $("story-text").value, year: year ? Number(year) : null};
  const res = await api("/api/stories", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  if (!res.ok) { $("bank-error").textContent = await errorOf(res); return; }  // the form keeps every word
  for (const id of ["story-title", "story-project", "story-year", "story-text"]) $(id).value = "";
  await refreshBank();
}

async function removeStory(s) {
  if (!confirm(`Remove “${s.title}” from your story bank?`)) return;
  const res = await api(`/api/stories/${encodeURIComponent(s.id)}`, {method: "DELETE"});
  if (!res.ok && res.status !== 404) { $("bank-error").textContent = await errorOf(res); return; }
  await refreshBank();
}

// One click saves a text to the story bank; the project name is prefilled and can be edited first.
function saveToBank(archetype, text, storyTitle) {
  const project = el("input", {type: "text", value: guessProject(text), size: 18, ariaLabel: "project name", maxLength: 200});
  project.dataset.testid = "save-story-project";
  const status = el("span", {class: "muted", role: "status"});
  status.dataset.testid = "save-story-status";
  const button = el("button", {testid: "save-story", onclick: async () => {
    button.disabled = true; status.textContent = "Saving…";
    const res = await api("/api/stories", {method: "POST", headers: {"Content-Type": "application/json"},
      body: JSON.stringify({title: storyTitle, archetype, project: project.value.trim() || "Untitled project", text})});
    if (!res.ok) { status.textContent = `Not saved: ${await errorOf(res)}`; button.disabled = false; return; }
    const story = await res.json();
    status.textContent = `Saved to your story bank (${story.grade ? story.grade.level : "ungraded"}).`;
    button.textContent = "Saved";
  }}, "Save to story bank");
  return el("div", {class: "save-story controls"}, el("label", {}, "Project ", project), button, status);
}

// The first name the text gives its project ("the Helix ranker" → "Helix"), else nothing to guess from.
function guessProject(text) {
  const m = text.match(/\b(?:the|our|my)\s+([A-Z][A-Za-z0-9-]{2,})/);
  return m ? m[1] : "";
}
