// A real call from the browser (Twilio Voice JavaScript SDK, vendored): place a call into
// the served flow through the TwiML App, and take the calls a flow dials to `client:NAME`.
"use strict";
(function () {
  const box = document.getElementById("real-call");
  if (!box || !window.Twilio || !window.Twilio.Device) return;
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const status = document.getElementById("real-status");
  const placeButton = document.getElementById("real-place");
  const hangButton = document.getElementById("real-hangup");
  const answerButton = document.getElementById("real-answer");
  let device = null, call = null, incoming = null;

  async function token() {
    const response = await fetch("/voice/token", { method: "POST", headers: { "X-CSRF-Token": csrf } });
    const data = await response.json();
    if (!response.ok) throw new Error(data.error);
    return data;
  }
  function say(text) { status.textContent = text; }

  async function ready() {
    if (device) return device;
    const grant = await token();
    device = new Twilio.Device(grant.token, { closeProtection: true });
    device.on("tokenWillExpire", async () => device.updateToken((await token()).token));
    device.on("error", (error) => say(`Twilio: ${error.message}`));
    device.on("incoming", (next) => {
      incoming = next;
      say(`Incoming call from ${next.parameters.From || "a flow"}`);
      answerButton.disabled = false;
      next.on("cancel", () => { incoming = null; answerButton.disabled = true; say("The caller hung up."); });
    });
    await device.register();
    say(`Ready: flows reach this tab as client:${grant.identity}`);
    return device;
  }

  function track(active) {
    call = active;
    hangButton.disabled = false;
    active.on("accept", () => say("In the call."));
    active.on("disconnect", () => { call = null; hangButton.disabled = true; say("Call ended."); });
  }

  placeButton.addEventListener("click", async () => {
    try {
      say("Connecting…");
      track(await (await ready()).connect());
    } catch (error) { say(`Could not call: ${error.message}`); }
  });
  answerButton.addEventListener("click", () => {
    if (!incoming) return;
    incoming.accept(); track(incoming); incoming = null; answerButton.disabled = true;
  });
  hangButton.addEventListener("click", () => { if (call) call.disconnect(); });
  document.getElementById("real-register").addEventListener("click", () => {
    ready().catch((error) => say(`Could not register: ${error.message}`));
  });
  box.dataset.sdk = "loaded";
})();
