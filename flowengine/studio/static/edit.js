// Edit: review the diff and the linter's verdict, then save; the server refuses lint errors.
"use strict";
(function () {
  const form = document.getElementById("edit-form");
  if (!form) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (sel) => document.querySelector(sel);
  const name = JSON.parse(document.getElementById("flow-data").textContent).name;

  const fields = () => Array.from(form.querySelectorAll("[data-field]"));
  function changes() {
    const found = {};
    for (const field of fields()) if (field.value !== field.dataset.original) found[field.dataset.field] = field.value;
    return found;
  }

  async function post(url, raw) {
    const body = raw
      ? { version: $("#edit-fields").dataset.version, text: $("#raw-text").value }
      : { version: $("#edit-fields").dataset.version, changes: changes() };
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "no answer from the studio" }; }
    return { ok: response.ok, status: response.status, data };
  }

  function showDiff(text) {
    const pre = $("#edit-diff");
    pre.replaceChildren();
    for (const row of (text || "No changes.\n").split("\n")) {
      const span = document.createElement("span");
      if (row.startsWith("+") && !row.startsWith("+++")) span.className = "add";
      else if (row.startsWith("-") && !row.startsWith("---")) span.className = "del";
      else if (row.startsWith("@@")) span.className = "hunk";
      span.textContent = row + "\n";
      pre.append(span);
    }
  }

  function showProblems(problems) {
    const list = $("#edit-problems");
    list.replaceChildren();
    for (const p of problems || []) {
      const item = document.createElement("li");
      item.className = "sev-" + p.severity;
      const pre = document.createElement("pre");
      pre.textContent = p.text;
      item.append(pre);
      list.append(item);
    }
  }

  function report(data, message) {
    $("#edit-result").hidden = false;
    if ("diff" in data) showDiff(data.diff);
    showProblems(data.problems);
    $("#edit-message").textContent = message;
  }

  async function review(raw) {
    const button = raw ? $("#raw-save") : $("#edit-save");
    const { ok, data } = await post(`/flows/${encodeURIComponent(name)}/preview`, raw);
    if (!ok) { report(data, data.error); button.disabled = true; return; }
    const message = data.errors
      ? `The linter found ${data.errors} error${data.errors === 1 ? "" : "s"}: this cannot be saved until they are fixed.`
      : data.diff ? "The linter finds no errors: review the changes, then save." : "Nothing changed.";
    report(data, message);
    button.disabled = !data.can_save;
    // Scroll the panel, not the page, to the verdict.
    const pane = $("#pane-edit"), result = $("#edit-result");
    pane.scrollTop += result.getBoundingClientRect().top - pane.getBoundingClientRect().top - 8;
  }
  form.addEventListener("submit", (event) => { event.preventDefault(); review(false); });
  $("#raw-form").addEventListener("submit", (event) => { event.preventDefault(); review(true); });

  async function save(raw) {
    const button = raw ? $("#raw-save") : $("#edit-save");
    const { ok, status, data } = await post(`/flows/${encodeURIComponent(name)}/save`, raw);
    button.disabled = true;
    if (!ok) {
      report(data, `Not saved: ${data.error}`);
      if (status === 409) { $("#edit-notice").textContent = data.error; $("#edit-notice").hidden = false; }
      return;
    }
    $("#edit-fields").dataset.version = data.version;
    for (const field of fields()) { field.dataset.original = field.value; field.classList.remove("changed"); }
    if (raw) $("#raw-text").dataset.original = $("#raw-text").value;
    report(data, data.saved ? `Saved to the file. Lint is clean of errors.` : "Nothing to save.");
  }
  $("#edit-save").addEventListener("click", () => save(false));
  $("#raw-save").addEventListener("click", () => save(true));

  // A select holds its current choice only until it is opened or focused (see flow.html).
  function fill(select) {
    if (select.dataset.filled) return;
    const source = document.getElementById(select.dataset.choices);
    const value = select.value;
    select.replaceChildren(source.content.cloneNode(true));
    if (!Array.from(select.options).some((o) => o.value === value)) select.prepend(new Option(value, value));
    select.value = value;
    select.dataset.filled = "yes";
  }

  function bind() {
    for (const select of form.querySelectorAll("select[data-choices]")) {
      for (const kind of ["focus", "mousedown", "pointerdown"]) select.addEventListener(kind, () => fill(select));
    }
    $("#raw-text").addEventListener("input", () => { $("#raw-save").disabled = true; });
    for (const field of fields()) {
      field.addEventListener("input", () => {
        field.classList.toggle("changed", field.value !== field.dataset.original);
        $("#edit-save").disabled = true;
      });
    }
    }
  $("#edit-reset").addEventListener("click", () => {
    for (const field of fields()) { field.value = field.dataset.original; field.classList.remove("changed"); }
    $("#edit-save").disabled = true;
  });
  bind();
  window.studioEdit = { bind };
})();
