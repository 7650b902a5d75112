// Try a call: drives the simulator through the studio's JSON endpoints.
"use strict";
(function () {
  const dataNode = document.getElementById("flow-data");
  if (!dataNode) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (sel) => document.querySelector(sel);
  const $$ = (sel) => Array.from(document.querySelectorAll(sel));
  const flow = () => JSON.parse(dataNode.textContent);
  let call = null; // {id, visited: [], state, flow, ended, waiting}

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { error: "no answer from the studio" }; }
    return { ok: response.ok, data };
  }

  const transcript = $("#transcript");
  function line(kind, text) {
    const item = document.createElement("li");
    item.className = kind;
    item.textContent = text;
    transcript.append(item);
    transcript.scrollTop = transcript.scrollHeight;
    return item;
  }

  function speak(heard) {
    if (!$("#call-speak").checked || !window.speechSynthesis) return;
    for (const item of heard) {
      if (item.kind !== "say" || !item.text) continue;
      const utterance = new SpeechSynthesisUtterance(item.text);
      if (item.language) {
        utterance.lang = item.language;
        const voice = speechSynthesis.getVoices().find((v) => v.lang === item.language) ||
          speechSynthesis.getVoices().find((v) => v.lang.startsWith(item.language.slice(0, 2)));
        if (voice) utterance.voice = voice;
      }
      speechSynthesis.speak(utterance);
    }
  }

  function show(turn) {
    for (const text of turn.lines) {
      if (text.startsWith("Say")) {
        const item = line("say", text.slice(text.indexOf(": ") + 2));
        const lang = text.match(/^Say \[[^\]]*?([a-z]{2}-[A-Z]{2})\]/);
        if (lang) item.lang = lang[1];
      } else if (text.startsWith("Play: ")) {
        const url = text.slice(6).replace(/ \(x\d+\)$/, "");
        const item = line("play", url + " ");
        const audio = document.createElement("audio");
        audio.controls = true; audio.preload = "none"; audio.src = url;
        audio.setAttribute("aria-label", "Play " + url);
        item.append(audio);
        if ($("#call-speak").checked) audio.play().catch(() => {});
      } else {
        line("note", text);
      }
    }
    speak(turn.heard);
    const texts = $("#texts-list");
    for (const text of turn.texts) {
      const item = document.createElement("li");
      item.textContent = `To ${text.to}: ${text.body}`;
      texts.append(item);
    }
    $("#texts-none").hidden = texts.children.length > 0;
    call.visited.push(...turn.visited);
    Object.assign(call, { state: turn.state, flow: turn.flow, ended: turn.ended, waiting: turn.waiting });
    controls();
    repaint();
  }

  function controls() {
    const waiting = call && !call.ended ? call.waiting : null;
    const gather = waiting && waiting.event === "gather";
    const keys = gather && waiting.listens_for.includes("keys");
    const words = gather && waiting.listens_for.includes("speech");
    for (const key of $$(".key")) key.disabled = !keys;
    $("#say-text").disabled = !words; $("#say-send").disabled = !words;
    $("#silence").disabled = !gather;
    $("#hangup").disabled = !(call && !call.ended);
    const outcomes = $("#outcomes");
    outcomes.replaceChildren();
    const options = waiting && !gather ? waiting.outcomes : [];
    for (const outcome of options) {
      const button = document.createElement("button");
      button.type = "button"; button.textContent = outcome; button.dataset.outcome = outcome;
      button.setAttribute("aria-label", `${waiting.event} outcome: ${outcome}`);
      button.addEventListener("click", () => act("outcome", outcome, `${waiting.event}: ${outcome}`));
      outcomes.append(button);
    }
    $("#outcome-none").hidden = options.length > 0;
    $("#scenario-save").disabled = !call;
    const status = $("#call-status");
    if (!call) status.textContent = "No call yet.";
    else if (call.ended) status.textContent = `The call ended (${call.ended}) in state ${call.state}.`;
    else if (gather) status.textContent = `In ${call.state}: waiting for ${waiting.listens_for.join(" or ")}.`;
    else if (waiting) status.textContent = `In ${call.state}: how does the ${waiting.event} turn out?`;
  }

  function repaint() {
    for (const node of $$(".node.current, .node.visited")) node.classList.remove("current", "visited");
    for (const edge of $$(".edge.walked")) edge.classList.remove("walked");
    if (!call || call.flow !== flow().name) return;
    call.visited.forEach((name, i) => {
      const node = document.querySelector(`.node[data-state="${CSS.escape(name)}"]`);
      if (node) node.classList.add("visited");
      const next = call.visited[i + 1];
      if (next) {
        const edge = document.querySelector(
          `.edge[data-source="${CSS.escape(name)}"][data-target="${CSS.escape(next)}"]`);
        if (edge) edge.classList.add("walked");
      }
    });
    const current = document.querySelector(`.node[data-state="${CSS.escape(call.state || "")}"]`);
    if (current) {
      current.classList.add("current");
      // Scroll the diagram only, never the page: the controls stay where the hand is.
      const canvas = document.getElementById("canvas");
      const box = current.getBoundingClientRect(), view = canvas.getBoundingClientRect();
      if (box.top < view.top || box.bottom > view.bottom) {
        canvas.scrollTop += box.top - view.top - view.height / 2 + box.height / 2;
      }
    }
  }
  window.studioCall = { repaint };

  async function act(kind, value, shown) {
    if (!call) return;
    line("you", shown);
    const { ok, data } = await post(`/calls/${encodeURIComponent(call.id)}`, { kind, value });
    if (!ok) { line("note", data.error); return; }
    show(data);
  }

  $("#call-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    window.speechSynthesis && speechSynthesis.cancel();
    const at = $("#call-at").value;
    const body = {
      caller: $("#call-caller").value,
      at: at ? `${at} ${$("#call-zone").value.trim() || "UTC"}` : "",
      language: $("#call-language").value,
    };
    const { ok, data } = await post(`/flows/${encodeURIComponent(flow().name)}/calls`, body);
    transcript.replaceChildren();
    $("#texts-list").replaceChildren();
    $("#texts-none").hidden = false;
    $("#scenario-result").textContent = "";
    if (!ok) { call = null; line("note", data.error); controls(); repaint(); return; }
    call = { id: data.id, visited: [] };
    line("note", `Call from ${body.caller}` + (body.at ? ` at ${body.at}` : " now"));
    show(data);
  });

  for (const key of $$(".key")) {
    key.addEventListener("click", () => act("keys", key.dataset.key, `You press ${key.dataset.key}`));
  }
  $("#say-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const words = $("#say-text").value.trim();
    if (!words) return;
    $("#say-text").value = "";
    act("speech", words, `You say “${words}”`);
  });
  $("#silence").addEventListener("click", () => act("silence", "", "You stay silent"));
  $("#hangup").addEventListener("click", () => act("hangup", "", "You hang up"));

  $("#scenario-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!call) return;
    const name = $("#scenario-name").value.trim();
    const { ok, data } = await post(`/calls/${encodeURIComponent(call.id)}/scenario`, { name });
    const result = $("#scenario-result");
    result.textContent = ok ? `Saved to ${data.path}. Run it with: ${data.command}` : data.error;
    result.className = ok ? "small" : "small notice";
  });
  controls();
})();
