/* contactops agent console: the WebRTC softphone (JsSIP, app/static/vendor/jssip).
 *
 * When the console's agent has a SIP profile (GET /api/console/sip-profile answers 200 with
 * {ws_uri, sip_uri, username, realm, ha1, display_name, queues: {queue: sip_uri}}) the browser
 * registers with JsSIP over WebSocket (digest with ha1 + realm, no plain password). Without a
 * profile (404) nothing here runs and the console works with its built-in phone.
 *
 * The suite's events (/ws/agent, agent.js) stay the truth for the agent's state and the screen
 * pop; the SIP session carries the voice. The console's buttons act on both: agent.js sends the
 * action to the suite, and this file's route hook (ContactopsConsole.onRoute) first acts on the
 * real call: Answer -> RTCSession.answer, Hold / Resume -> hold / unhold, Transfer -> blind REFER
 * to the queue's SIP URI (profile.queues) or the agent's (sip:LOGIN@domain), Hang up ->
 * terminate. A transfer is told to the suite only once the caller's side took the REFER (202):
 * refused, the call stays with the agent and the suite's contact too; taken, the suite moves
 * the contact (the caller's new call to the queue joins it) and this leg ends. A SIP call the suite knows nothing of (e.g. a colleague's direct call) is worked on
 * SIP alone: the hook then returns no path and agent.js sends nothing to the suite.
 */
(function () {
  "use strict";

  const root = document.getElementById("softphone");
  const Console = window.ContactopsConsole;
  if (!root || !root.dataset.agentLogin || !Console) return;

  const LABELS = JSON.parse((document.getElementById("console-labels") || {}).textContent || "{}");
  const UI = LABELS.ui || {};
  // every word from the catalogs (app/pages/softphone_labels.py); the English msgid otherwise
  const T = (key, args) => String(UI[key] || key).replace(/%\((\w+)\)s/g, (_, k) => (args || {})[k] ?? "");
  const el = Console.el;
  const STORE = "contactops.softphone.";
  const saved = (k) => { try { return localStorage.getItem(STORE + k) || ""; } catch (_) { return ""; } };
  const save = (k, v) => { try { localStorage.setItem(STORE + k, v); } catch (_) { /* private mode */ } };

  let profile = null;
  let ua = null;
  let session = null; // the one RTCSession in hand
  let sessionState = "none"; // none | ringing | calling | talking | held
  let suiteContact = null; // the suite's contact id the session belongs to, if any
  let passThrough = false; // the route hook lets a deferred transfer through to the suite
  let lastStats = null;
  let endedText = ""; // how the last call ended (its cause, translated), shown until the next one
  const remoteAudio = el("audio", { id: "sp-sip-audio", autoplay: "" });

  const status = el("span", { id: "sp-sip-status", class: "badge", role: "status" }, "…");
  const callInfo = el("span", { id: "sp-sip-call", class: "muted" }, "");
  const sipError = el("p", { id: "sp-sip-error", class: "error", role: "alert" });
  const inputSel = el("select", { name: "sip-input", "aria-label": T("sipInput") });
  const outputSel = el("select", { name: "sip-output", "aria-label": T("sipOutput") });
  const devices = el("details", { id: "sp-sip-devices", class: "sp-sip-devices" },
    el("summary", {}, T("sipDevices")),
    el("label", {}, T("sipInput"), " ", inputSel), " ",
    el("label", {}, T("sipOutput"), " ", outputSel));
  const panel = el("div", { id: "sp-sip", class: "softphone-row", hidden: "" },
    el("strong", {}, T("sipPhone")), " ", status, " ", callInfo, devices, remoteAudio);

  function setStatus(kind, text) {
    status.textContent = text;
    status.className = "badge sip-" + kind;
    status.dataset.state = kind;
  }

  // --- microphone and devices ----------------------------------------------------------------
  async function askMicrophone() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      sipError.textContent = T("sipNoMediaDevices");
      return false;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia(audioConstraints());
      stream.getTracks().forEach((t) => t.stop());
      sipError.textContent = "";
      await listDevices();
      return true;
    } catch (err) {
      sipError.textContent = err && (err.name === "NotAllowedError" || err.name === "SecurityError")
        ? T("sipMicRefused") : err && err.name === "NotFoundError" ? T("sipMicMissing")
          : T("sipMicError", { reason: String((err && err.message) || err) });
      return false;
    }
  }

  function audioConstraints() {
    const id = inputSel.value || saved("input");
    return { audio: id ? { deviceId: { exact: id } } : true, video: false };
  }

  async function listDevices() {
    const all = await navigator.mediaDevices.enumerateDevices();
    const fill = (sel, kind, key) => {
      const chosen = saved(key);
      sel.replaceChildren(el("option", { value: "" }, T("sipDefaultDevice")),
        ...all.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== "default")
          .map((d, i) => el("option", { value: d.deviceId }, d.label || kind + " " + (i + 1))));
      sel.value = [...sel.options].some((o) => o.value === chosen) ? chosen : "";
    };
    fill(inputSel, "audioinput", "input");
    fill(outputSel, "audiooutput", "output");
    if (typeof remoteAudio.setSinkId !== "function") {
      outputSel.disabled = true;
      outputSel.title = T("sipNoSinkChoice");
    }
    applySink();
  }
  function applySink() {
    if (typeof remoteAudio.setSinkId === "function") {
      remoteAudio.setSinkId(outputSel.value || "").catch((err) => {
        sipError.textContent = T("sipMicError", { reason: String(err.message || err) });
      });
    }
  }
  inputSel.addEventListener("change", () => save("input", inputSel.value));
  outputSel.addEventListener("change", () => { save("output", outputSel.value); applySink(); });

  // --- ring tone ------------------------------------------------------------------------------
  // With a SIP line this file rings for the console (ContactopsConsole.takeOverRing): one
  // cadence, the console's tone every 2 s, while the SIP call rings or the suite offers a call, so
  // a suite-offered SIP call (offer and INVITE, in either order) rings once, not twice.
  const RING_EVERY_MS = 2000;
  let ringTimer = null;
  function ring(on) {
    if (on === (ringTimer !== null)) return; // already ringing, or already quiet
    clearInterval(ringTimer);
    ringTimer = null;
    if (!on) return;
    Console.ringTone();
    ringTimer = setInterval(() => Console.ringTone(), RING_EVERY_MS);
  }

  // --- JsSIP's failure causes in the agent's language (SIP_CAUSES, app/pages/softphone_labels.py)
  function cause(ev) {
    const c = ev && ev.cause ? String(ev.cause) : "";
    if (!c) return "";
    const code = ev.response && ev.response.status_code;
    if (c === "SIP Failure Code" && code) return T("sipRefusedCode", { code });
    return UI["cause:" + c] || T("sipCauseUnknown", { cause: c });
  }

  // --- the SIP session and the console's buttons -----------------------------------------------
  const SIP_ENABLED = { ringing: ["answer", "hangup"], calling: ["hangup"],
                        talking: ["hold", "transfer", "hangup"], held: ["retrieve", "transfer", "hangup"] };
  function peer(s) {
    const id = s.remote_identity;
    return (id && (id.display_name || (id.uri && id.uri.user))) || "";
  }
  function show() {
    const who = session ? peer(session) : "";
    callInfo.textContent = sessionState === "none" ? endedText : T({ ringing: "sipRinging", calling: "sipCalling",
      talking: "sipTalking", held: "sipHeld" }[sessionState], { from: who });
    callInfo.dataset.state = sessionState;
    const st = Console.state();
    const ringing = sessionState === "ringing" || !!(st && st.state === "reserved");
    ring(!!profile && ringing);
    // a SIP call the suite has not offered (yet): its buttons follow the SIP session
    if (sessionState !== "none" && !(st && st.contact)) {
      const allowed = SIP_ENABLED[sessionState] || [];
      for (const [key, b] of Object.entries(Console.buttons)) {
        if (["answer", "hold", "retrieve", "transfer", "hangup"].includes(key)) b.disabled = !allowed.includes(key);
      }
    }
    root.classList.toggle("ringing", ringing);
  }
  function setSession(s, state) {
    session = s;
    sessionState = s ? state : "none";
    if (!s) suiteContact = null;
    show();
  }

  function attachRemote(pc) {
    pc.addEventListener("track", (e) => {
      remoteAudio.srcObject = e.streams && e.streams[0] ? e.streams[0] : new MediaStream([e.track]);
      remoteAudio.play().catch(() => { /* autoplay: plays on the next click */ });
    });
  }

  function onNewSession(e) {
    const s = e.session;
    if (session && s !== session) { // one call at a time: a second one is busy
      if (e.originator === "remote") s.terminate({ status_code: 486, reason_phrase: "Busy Here" });
      return;
    }
    const st = Console.state();
    suiteContact = st && st.contact ? st.contact.contact_id : null;
    endedText = "";
    s.on("peerconnection", (ev) => attachRemote(ev.peerconnection));
    if (s.connection) attachRemote(s.connection);
    s.on("accepted", () => setSession(s, "talking"));
    s.on("confirmed", () => setSession(s, s.isOnHold().local ? "held" : "talking"));
    s.on("hold", () => setSession(s, s.isOnHold().local ? "held" : "talking"));
    s.on("unhold", () => setSession(s, s.isOnHold().local ? "held" : "talking"));
    // ended: after the answer (a BYE, ours or theirs); failed: before it (CANCEL, busy, refused...)
    const end = (failed) => (ev) => {
      if (session !== s) return;
      lastStats = null;
      remoteAudio.srcObject = null;
      endedText = failed ? T("sipCallFailed", { reason: cause(ev) }) : T("sipEnded", { cause: cause(ev) });
      callInfo.dataset.cause = (ev && ev.cause) || "";
      setSession(null);
    };
    s.on("ended", end(false));
    s.on("failed", end(true));
    setSession(s, e.originator === "remote" ? "ringing" : "calling");
  }

  function sipTarget(kind, target) {
    if (!target) return null;
    if (/^sips?:/i.test(target)) return target;
    if (kind === "queue") return (profile.queues || {})[target] || null;
    const domain = String(profile.sip_uri).replace(/^sips?:[^@]*@/i, "").replace(/[;>].*$/, "");
    return /^[\w.-]+$/.test(target) ? "sip:" + target + "@" + domain : null;
  }

  // before agent.js sends an action to the suite: the same action on the real call
  Console.onRoute((path, body, state) => {
    if (!session) return [path, body];
    const sipOnly = !(state && state.contact) || (suiteContact && state.contact.contact_id !== suiteContact);
    try {
      if (path === "answer" && sessionState === "ringing") {
        session.answer({ mediaConstraints: audioConstraints(), pcConfig: { iceServers: [] } });
        sessionState = "talking"; // the 'accepted' event confirms it
      } else if (path === "hold" && sessionState === "talking") {
        session.hold();
      } else if (path === "retrieve" && sessionState === "held") {
        session.unhold();
      } else if (path === "hangup") {
        session.terminate();
      } else if (path === "transfer" && body) {
        if (passThrough) return [path, body]; // the REFER was taken: now the suite
        const kind = body.queue != null ? "queue" : "agent";
        const uri = sipTarget(kind, body[kind]);
        if (!uri) {
          sipError.textContent = T("sipNoTarget", { target: body[kind] || "" });
          return [null, body];
        }
        const s = session;
        s.refer(uri, {
          eventHandlers: {
            requestSucceeded: () => {
              callInfo.textContent = T("sipTransferSent", { target: body[kind] });
              if (sipOnly) { try { s.terminate(); } catch (_) { /* gone */ } return; }
              passThrough = true; // the suite's transfer; its state change ends this leg
              try { Console.act("transfer", body); } finally { passThrough = false; }
            },
            requestFailed: (ev) => { sipError.textContent = T("sipTransferFailed", { reason: cause(ev) }); },
          },
        });
        return [null, body];
      }
    } catch (err) {
      sipError.textContent = String(err.message || err);
    }
    return sipOnly ? [null, body] : [path, body];
  });

  // the suite ended or moved the call away (caller hung up, transfer taken, wrap-up): no voice left
  document.addEventListener("contactops:state", (e) => {
    const { state, before } = e.detail;
    const had = before && before.contact && before.contact.contact_id;
    if (session && suiteContact && had === suiteContact &&
        !["reserved", "talking", "hold"].includes(state.state)) {
      try { session.terminate(); } catch (_) { /* already gone */ }
    }
    if (!suiteContact && session && state.contact && ["reserved", "talking", "hold"].includes(state.state)) {
      suiteContact = state.contact.contact_id; // the suite's offer came after the INVITE
    }
  });
  // agent.js sets the buttons and the ringing class from the suite's state; the SIP call's after it
  Console.onRender(() => queueMicrotask(show));

  // --- registration ---------------------------------------------------------------------------
  function start(p) {
    profile = p;
    Console.takeOverRing(); // one ring for a SIP call the suite offers too (ring, above)
    panel.hidden = false;
    const firstRow = root.querySelector(".softphone-row");
    if (firstRow) root.insertBefore(panel, firstRow); else root.append(panel);
    root.append(sipError);
    setStatus("registering", T("sipRegistering"));
    if (!window.JsSIP) {
      setStatus("failed", T("sipFailed", { reason: "JsSIP" }));
      return;
    }
    try {
      ua = new window.JsSIP.UA({
        sockets: [new window.JsSIP.WebSocketInterface(p.ws_uri)],
        uri: p.sip_uri,
        authorization_user: p.username,
        realm: p.realm,
        ha1: p.ha1,
        display_name: p.display_name,
        register: true,
        session_timers: false,
        user_agent: "contactops softphone (JsSIP)",
      });
    } catch (err) {
      setStatus("failed", T("sipFailed", { reason: String(err.message || err) }));
      return;
    }
    ua.on("registered", () => setStatus("registered", T("sipRegistered")));
    ua.on("unregistered", () => setStatus("unregistered", T("sipUnregistered")));
    ua.on("registrationFailed", (e) => setStatus("failed", T("sipFailed", { reason: cause(e) })));
    ua.on("disconnected", () => { if (status.dataset.state !== "failed") setStatus("failed", T("sipFailed", { reason: T("sipNoConnection") })); });
    ua.on("newRTCSession", onNewSession);
    ua.start();
    askMicrophone();
    window.addEventListener("beforeunload", () => { try { ua.stop(); } catch (_) { /* closing */ } });
  }

  async function stats() {
    const pc = session && session.connection;
    if (!pc) return lastStats;
    let sent = 0, received = 0;
    (await pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "audio") sent += r.bytesSent || 0;
      if (r.type === "inbound-rtp" && r.kind === "audio") received += r.bytesReceived || 0;
    });
    lastStats = { bytesSent: sent, bytesReceived: received };
    return lastStats;
  }

  // for the page's other panels and the browser test
  window.ContactopsSoftphone = {
    registered: () => !!(ua && ua.isRegistered()),
    status: () => status.dataset.state || "none",
    call: () => sessionState,
    stats,
    ua: () => ua,
  };

  // only a center whose telephony is SIP has profiles (the page says so): no request otherwise
  const host = document.getElementById("softphone");
  if (host && host.dataset.sip === "1") fetch("/api/console/sip-profile", { headers: { Accept: "application/json" } })
    .then((r) => (r.status === 200 ? r.json() : null))
    .then((p) => { if (p && p.ws_uri && p.sip_uri) start(p); })
    .catch(() => { /* no SIP: the built-in phone */ });
})();
