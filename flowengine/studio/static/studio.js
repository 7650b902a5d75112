// flowengine studio: a little plain JavaScript over server-rendered pages.
// Every text from a flow is put in the page with textContent, never as HTML.
"use strict";
(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const el = (tag, attrs, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const child of children) node.append(child);
    return node;
  };

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {}),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "no answer from the studio" }; }
    return { ok: response.ok, status: response.status, data };
  }

  // -- copy buttons ------------------------------------------------------------------------
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button.copy");
    if (!button) return;
    navigator.clipboard && navigator.clipboard.writeText(button.dataset.copy);
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });

  // -- live updates (server-sent events) ---------------------------------------------------
  const status = $("#live-status");
  let flowData = null;
  const dataNode = $("#flow-data");
  if (dataNode) flowData = JSON.parse(dataNode.textContent);

  async function refresh() {
    const response = await fetch(location.pathname, { headers: { Accept: "text/html" } });
    if (!response.ok) return;
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
    for (const part of $$("[data-live]")) {
      const name = part.dataset.live;
      const next = fresh.querySelector(`[data-live="${name}"]`);
      if (!next) continue;
      if (name === "edit" || name === "raw") { refreshEditForm(part, next); continue; }
      part.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)));
    }
    const freshData = fresh.querySelector("#flow-data");
    if (freshData && dataNode) {
      dataNode.textContent = freshData.textContent;
      flowData = JSON.parse(freshData.textContent);
    }
    bindDiagram();
    if (selected) showState(selected);
    if (window.studioCall) window.studioCall.repaint();
  }

  if (window.EventSource) {
    const source = new EventSource("/events");
    source.addEventListener("change", async (event) => {
      const flows = JSON.parse(event.data).flows || [];
      if (flowData && !flows.includes(flowData.name)) return;
      await refresh();
      status.textContent = `Updated from disk at ${new Date().toLocaleTimeString()}`;
      status.classList.add("flash");
      setTimeout(() => status.classList.remove("flash"), 1500);
    });
    source.addEventListener("error", () => { status.textContent = "Not watching: reconnecting…"; });
    source.addEventListener("ready", () => { status.textContent = "Watching for changes"; });
  }

  if (!flowData) return;

  // -- tabs (WAI-ARIA tabs: arrow keys move between them) ------------------------------------
  const tabs = $$('[role="tab"]');
  function selectTab(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      $("#" + t.getAttribute("aria-controls")).hidden = !on;
    }
    if (focus) tab.focus();
  }
  for (const tab of tabs) {
    tab.addEventListener("click", () => selectTab(tab, false));
    tab.addEventListener("keydown", (event) => {
      const i = tabs.indexOf(tab);
      const move = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (move) { event.preventDefault(); selectTab(tabs[(i + move + tabs.length) % tabs.length], true); }
      if (event.key === "Home") { event.preventDefault(); selectTab(tabs[0], true); }
      if (event.key === "End") { event.preventDefault(); selectTab(tabs[tabs.length - 1], true); }
    });
  }
  window.studioTabs = { select: (id) => selectTab($("#" + id), false) };

  // -- the diagram: pick a state -------------------------------------------------------------
  let selected = null;
  function showState(name) {
    const state = flowData.states[name];
    const box = $("#state-details");
    if (!state) return;
    selected = name;
    for (const node of $$(".node.selected")) node.classList.remove("selected");
    const node = $(`.node[data-state="${CSS.escape(name)}"]`);
    if (node) node.classList.add("selected");
    const list = el("dl");
    if (state.description) list.append(el("dt", {}, "Description"), el("dd", {}, state.description));
    const prompts = Object.entries(state.prompts);
    list.append(el("dt", {}, "Says"));
    if (!prompts.length) list.append(el("dd", { class: "muted" }, "Nothing."));
    for (const [lang, text] of prompts) {
      list.append(el("dd", {}, el("span", { class: "lang" }, lang), " ", text));
    }
    list.append(el("dt", {}, "Ways out"));
    if (!state.ways_out.length) list.append(el("dd", { class: "muted" }, "None: the call ends here."));
    for (const way of state.ways_out) {
      const link = el("button", { type: "button", class: "small-btn", "data-goto": way.to }, way.to);
      list.append(el("dd", {}, el("code", {}, way.when), " → ", link));
    }
    const source = el("pre", { class: "source", "aria-label": "File lines" });
    state.lines.forEach((line, i) => {
      source.append(el("span", { class: "ln" }, String(state.first_line + i)), line, "\n");
    });
    box.replaceChildren(
      el("div", { class: "details" },
        el("h3", {}, `${state.name} `, el("span", { class: "badge ok" }, state.action)),
        list,
        el("h4", {}, `${state.file}, lines ${state.first_line}–${state.last_line}`),
        source));
    for (const button of $$("[data-goto]", box)) {
      button.addEventListener("click", () => {
        showState(button.dataset.goto);
        const target = $(`.node[data-state="${CSS.escape(button.dataset.goto)}"]`);
        if (target) target.focus();
      });
    }
  }

  function bindDiagram() {
    for (const node of $$(".node[data-state]")) {
      node.addEventListener("click", () => { showState(node.dataset.state); selectTab($("#tab-state"), false); });
      node.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          showState(node.dataset.state);
          selectTab($("#tab-state"), false);
        }
      });
    }
  }
  bindDiagram();
  window.studioDiagram = { show: showState };

  // -- edit form: a change on disk replaces an untouched form, and warns over a touched one --
  function refreshEditForm(part, next) {
    // Touched anywhere (form or YAML box): neither part nor the version they save against
    // may move on, or a save would go through over the change made on disk.
    const touched = $$("#pane-edit [data-original]").some((f) => f.value !== f.dataset.original);
    if (touched) {
      if (next.dataset.version === $("#edit-fields").dataset.version) return;
      const notice = $("#edit-notice");
      notice.textContent = "The file changed on disk since you opened it. Saving will be refused: " +
        "copy your changes, then reload the page.";
      notice.hidden = false;
      return;
    }
    part.replaceChildren(...Array.from(next.childNodes).map((n) => document.importNode(n, true)));
    part.dataset.version = next.dataset.version;
    if (part.id === "edit-fields" || part.dataset.live === "raw") {
      $("#edit-fields").dataset.version = next.dataset.version;
    }
    window.studioEdit && window.studioEdit.bind();
  }
})();
