// The clinicians' panel: platform-neutral. A bridge (Zoom Apps SDK, the Jitsi console, or
// the development bridge below) supplies the session; the panel talks to Tether's API and
// live stream. Every platform string is shown with textContent, never as HTML.
"use strict";
(function () {
  const KINDS = ["roster", "alert.disconnected", "alert.unidentified_drop", "ladder.dialing",
    "ladder.call_outcome", "ladder.answered", "ladder.acknowledged", "ladder.stopped",
    "ladder.responders_prompt", "ladder.exhausted", "ladder.dial_failed", "checkin.submitted",
    "recording.started", "recording.stop_requested", "recording.stop_failed", "triage.started",
    "triage.moved", "triage.failed", "participant.linked", "alert.checkin_missing",
    "checkin.moved", "checkin.unmatched", "recording.stopped", "recording.panel_stopped",
    "recording.panel_failed", "alert.code_word", "alert.need_moment", "alert.outside_license",
    "incident.opened", "incident.screened", "incident.checked", "incident.closed",
    "emergency.started", "emergency.step", "emergency.contact", "alert.followup_overdue",
    "ladder.bridge", "ladder.bridge_missed", "ladder.call_now", "ladder.text_failed",
    "sms.reply", "alert.responders_unreached", "alert.sms_undelivered",
    "alert.checkin_code_unsent", "checkin.code_failed", "checkin.code_refused"];
  const OUTCOMES = { reached: "a person picked up and pressed 1",
    voicemail: "voicemail picked up (no message about them was left)",
    fax: "a fax machine answered", no_key: "picked up but pressed nothing",
    "no-answer": "no answer", busy: "busy", failed: "the call could not be placed",
    canceled: "the call was cancelled" };
  const ENDS = { "ladder.answered": "reached: they pressed 1 to talk",
    "ladder.acknowledged": "a clinician is calling", "ladder.stopped": "rejoined",
    "ladder.exhausted": "ladder finished" };
  const people = new Map();   // participant id -> roster row data
  const alerts = new Map();   // subject -> {card, due, received}
  let session = null;

  // Outside Zoom and Jitsi: /panel#meeting=<id>, for the signed-in person.
  function browserBridge() {
    const p = new URLSearchParams(window.location.hash.slice(1));
    return { session: async function () {
      const me = await window.tetherAuth.whoami();
      return { meeting: p.get("meeting") || "", staff: me.staff, name: me.name };
    } };
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  async function api(method, path, body) {
    const response = await window.tetherAuth.call(method, path, body);
    if (!response.ok) throw new Error(method + " " + path + ": " + response.status);
    return response.json();
  }

  function meetingPath(rest) {
    return "/api/meetings/" + encodeURIComponent(session.meeting) + rest;
  }

  function nameOf(participant) {
    const row = people.get(participant);
    return row ? row.display_name || "(no name)" : "a participant";
  }

  function renderRoster(checkins) {
    const body = document.querySelector("#roster tbody");
    body.replaceChildren();
    const rows = Array.from(people.values()).sort(function (a, b) {
      return a.display_name.localeCompare(b.display_name);
    });
    // Zoom's webhooks name a breakout room only by its uuid: number the rooms in use the
    // same way in every panel, so "breakout 2" means the same room to the whole team.
    const rooms = Array.from(new Set(rows.filter(function (p) { return p.room; })
      .map(function (p) { return p.room; }))).sort();
    for (const p of rows) {
      const tr = el("tr", undefined, p.status);
      tr.dataset.participant = p.participant;
      const nameCell = el("td");
      nameCell.append(el("span", p.display_name || "(no name)", "name"));
      tr.append(nameCell, el("td"), el("td", p.status +
        (p.reason && p.status === "gone" ? " (" + p.reason + ")" : "")),
        el("td", p.room ? "breakout " + (rooms.indexOf(p.room) + 1) : "main"), el("td"));
      tr.children[1].append(el("span", p.identity, "badge"));
      const mine = (p.client && checkins[p.client]) || {};
      const checked = mine.checked_in_at;
      tr.children[4].textContent = p.identity !== "client" ? "" :
        (!checked ? "missing" : (mine.stale ? "stale: said they moved" : "checked in"));
      if (mine.stale) tr.children[4].className = "stale";
      if (p.identity === "unknown" && clients.length) {
        const pick = el("select", undefined, "link");
        pick.append(el("option", "This is…"));
        for (const c of clients) {
          const option = el("option", c.name);
          option.value = c.id;
          pick.append(option);
        }
        pick.addEventListener("change", function () { link(p.participant, pick.value); });
        tr.children[1].append(" ", pick);
      }
      if (p.identity === "client" && p.status === "waiting") {
        if (checked && bridge.admit) {
          const admit = el("button", "Admit", "admit");
          admit.addEventListener("click", function () { act(admit, function () {
            return bridge.admit({ participant: p.participant });
          }); });
          tr.children[0].append(" ", admit);
          if (bridge.deny) {
            const deny = el("button", "Deny", "deny");
            deny.addEventListener("click", function () { act(deny, function () {
              return bridge.deny({ participant: p.participant });
            }, "denied"); });
            tr.children[0].append(" ", deny);
          }
        } else if (!checked) {
          const text = el("button", "Text check-in link", "sms");
          text.addEventListener("click", function () { act(text, function () {
            return api("POST", meetingPath("/clients/" + encodeURIComponent(p.client) +
              "/checkin-link"), { send_sms: true });
          }); });
          tr.children[0].append(" ", text);
        }
      }
      if (p.identity === "client" && window.tetherIncidents) {
        const check = el("button", "Safety check", "screen");
        check.title = "Open a collaborative safety check for " + (p.display_name || "this client");
        check.addEventListener("click", function () {
          window.tetherIncidents.open(p.client, "clinician");
        });
        tr.children[0].append(" ", check);
      }
      if (p.identity === "client" && p.status === "present" && bridge.startTriage) {
        const button = el("button", "1:1", "triage");
        button.title = "Take " + (p.display_name || "this client") + " to a 1:1 room";
        button.addEventListener("click", function () { triage(p.participant, button); });
        tr.children[0].append(" ", button);
      }
      body.append(tr);
    }
  }

  function tick() {
    for (const a of alerts.values()) {
      if (a.done) continue;
      const left = Math.max(0, Math.round((a.due - (Date.now() - a.received)) / 1000));
      a.countdown.textContent = left > 0 ? "callback in " + left + " s" : "calling now";
    }
  }

  function raise(subject, participant, data, at) {
    const old = alerts.get(subject);
    if (old) old.card.remove();
    const card = el("div", undefined, "alert");
    card.dataset.subject = subject;
    card.append(el("div", nameOf(participant) + " dropped off (" + data.reason + ")"));
    const countdown = el("div", "", "countdown");
    const button = el("button", "I'm calling them");
    button.addEventListener("click", async function () {
      button.disabled = true;
      try {
        await api("POST", meetingPath("/ladders/" + encodeURIComponent(subject) + "/ack"),
          { note: "I'm calling them" });
      } catch (err) {
        button.disabled = false;
        document.getElementById("error").textContent = "Could not acknowledge: " + err.message;
      }
    });
    card.append(countdown, button);
    document.getElementById("alerts").prepend(card);
    alerts.set(subject, { card: card, countdown: countdown, due: data.callback_due - at,
      received: Date.now(), done: false });
    tick();
  }

  function settle(subject, text) {
    const a = alerts.get(subject);
    if (!a) return;
    a.done = true;
    a.card.classList.add("done");
    a.countdown.textContent = text;
    const button = a.card.querySelector("button");
    if (button) button.remove();
  }

  function onEntry(kind, entry, checkins) {
    const d = entry.data;
    if (kind === "roster") {
      people.set(d.participant, d);
      renderRoster(checkins);
    } else if (kind === "alert.disconnected") {
      raise(d.subject, d.participant, d, entry.at);
    } else if (kind === "alert.checkin_missing") {
      note("checkin-missing", d.client, clientName(d.client) + " has not checked in yet.");
    } else if (kind === "checkin.moved") {
      checkins[d.client] = Object.assign({}, checkins[d.client], { stale: true });
      note("checkin-moved", d.client, clientName(d.client) +
        " says they moved: their address and room for this session may be out of date.");
      renderRoster(checkins);
    } else if (kind === "checkin.unmatched") {
      note("checkin-unmatched", d.participant, nameOf(d.participant) + (d.ambiguous
        ? " gave details that fit two clients, so no check-in code was texted: text them a " +
          "check-in link."
        : " gave a name and digits that match no client expected here (no code was texted)."));
    } else if (kind === "alert.checkin_code_unsent") {
      note("checkin-code-unsent", d.client, "A check-in code could not be texted to " +
        clientName(d.client) + ": text them a check-in link.");
    } else if (kind === "checkin.code_failed" && d.client && d.dead && d.reason === "wrong") {
      note("checkin-code-dead", d.client, "Wrong check-in codes were entered for " +
        clientName(d.client) + " 5 times, so that code no longer works. They can ask for " +
        "a new one, or you can text them a check-in link.");
    } else if (kind === "checkin.code_refused") {
      note("checkin-code-capped", d.client, clientName(d.client) + " has had 3 check-in " +
        "codes this hour and cannot get another yet: text them a check-in link if needed.");
    } else if (kind.startsWith("recording.")) {
      recording(kind, d);
    } else if (kind === "triage.started") {
      groupIsYours(d);
    } else if (kind === "checkin.submitted") {
      checkins[d.client] = { checked_in_at: entry.at, stale: false };
      document.querySelectorAll(".alert[data-kind='checkin-missing'], " +
        ".alert[data-kind='checkin-moved']").forEach(function (c) {
        if (c.dataset.client === d.client) c.remove();
      });
      renderRoster(checkins);
    } else if (ENDS[kind] && alerts.has(d.subject)) {
      settle(d.subject, ENDS[kind] + (d.by ? " (" + d.by + ")" : ""));
    } else if (kind === "ladder.call_outcome" && alerts.has(d.subject)) {
      const a = alerts.get(d.subject);
      a.countdown.textContent = who(d) + ": " + (OUTCOMES[d.outcome] || d.status);
    } else if (kind === "ladder.bridge") {
      note("bridge", d.subject, d.connected
        ? subjectName(d.subject) + " is on the phone with " + (d.staff_name || "a clinician") + "."
        : subjectName(d.subject) + " pressed 1 to talk, but " + (d.staff_name || "nobody") +
          " did not pick up. Call them back now.");
    } else if (kind === "ladder.bridge_missed") {
      note("bridge", d.subject, subjectName(d.subject) + " pressed 1 to talk and nobody " +
        "picked up. Call them back now" + (d.notified.length ? "; whoever is on call was texted."
          : ". No one on call could be texted."));
    } else if (kind === "sms.reply") {
      note("sms-reply", d.subject, subjectName(d.subject) + (d.reply === "ok"
        ? " texted back: says they are OK."
        : d.reply === "call" ? " texted back asking for a call: calling them now."
          : " texted back: \u201c" + (d.text || "") + "\u201d"));
    } else if (kind === "ladder.call_now") {
      if (alerts.has(d.subject)) alerts.get(d.subject).countdown.textContent =
        "they asked for a call: calling " + subjectName(d.subject) + " now";
    } else if (kind === "alert.responders_unreached") {
      note("responders-unreached", d.subject, "Nobody could be texted to send responders for " +
        subjectName(d.subject) + ". Call responders now: the dispatch card has the address.");
    } else if (kind === "alert.sms_undelivered") {
      note("sms-undelivered", d.subject + d.to, "A text " + (d.to_name ? "to " + d.to_name
        : "to " + subjectName(d.subject)) + " was not delivered.");
    } else if (kind === "ladder.text_failed") {
      note("text-failed", d.subject, "The text to " + subjectName(d.subject) +
        " could not be sent.");
    } else if (kind === "ladder.dialing" && alerts.has(d.subject)) {
      const a = alerts.get(d.subject);
      a.due = 0;
      a.countdown.textContent = "calling " + who(d) + " (attempt " + d.attempt + ")";
      a.done = true;
    }
    window.dispatchEvent(new CustomEvent("tether:entry", { detail: { kind: kind, data: d } }));
  }

  async function triage(participant, button) {
    const say = document.getElementById("error");
    say.textContent = "";
    button.disabled = true;
    const path = meetingPath("/triage");
    try {
      const started = await api("POST", path, { participant: participant, phase: "started" });
      await bridge.startTriage({ participant: participant, roomName: started.room_name });
      await api("POST", path, { participant: participant, phase: "moved" });
      offerReturn(participant);
    } catch (err) {
      say.textContent = err.message;
      api("POST", path, { participant: participant, phase: "failed",
        detail: String(err.message).slice(0, 300) }).catch(function () {});
    } finally {
      button.disabled = false;
    }
  }

  function offerReturn(participant) {
    const card = el("div", undefined, "alert done");
    card.dataset.kind = "triage";
    const back = el("button", "Return to the group");
    card.append(el("div", "1:1 with " + nameOf(participant)), back);
    back.addEventListener("click", async function () {
      back.disabled = true;
      try {
        await bridge.endTriage({ participant: participant });
        await api("POST", meetingPath("/triage"), { participant: participant, phase: "ended" });
        card.remove();
      } catch (err) {
        back.disabled = false;
        document.getElementById("error").textContent = err.message;
      }
    });
    document.getElementById("alerts").prepend(card);
  }

  function subjectName(subject) {  // "client:client-001" -> the client's name
    return subject.startsWith("client:") ? clientName(subject.slice(7)) : "someone unnamed";
  }

  function who(d) {  // whom a ladder call went to, in words
    return d.target === "client" ? subjectName(d.subject)
      : subjectName(d.subject) + "'s support person";
  }

  function clientName(id) {
    const who = clients.find(function (c) { return c.id === id; });
    return who ? who.name : id;
  }

  function note(kind, client, text) {  // one card per kind and person, replaced if repeated
    document.querySelectorAll(".alert[data-kind='" + kind + "']").forEach(function (c) {
      if (c.dataset.client === client) c.remove();
    });
    const card = el("div", text, "alert");
    card.dataset.kind = kind;
    card.dataset.client = client;
    document.getElementById("alerts").append(card);
  }

  const RECORDING = {
    "recording.started": "Cloud recording started. The group has not agreed to be recorded.",
    "recording.stop_requested": "Tether asked Zoom to stop the cloud recording…",
    "recording.stop_failed": "Tether could not stop the recording",
    "recording.panel_failed": "The recording could not be stopped from a panel",
    "recording.stopped": "Recording stopped.",
    "recording.panel_stopped": "Recording stopped from a panel.",
  };

  function recording(kind, d) {  // one card for the meeting's recording, kept up to date
    let card = document.querySelector(".alert[data-kind='recording']");
    if (!card) {
      card = el("div", undefined, "alert");
      card.dataset.kind = "recording";
      card.append(el("div", "", "what"));
      if (bridge.stopRecording) {
        const stop = el("button", "Stop recording");
        stop.addEventListener("click", async function () {
          stop.disabled = true;
          try {
            await bridge.stopRecording();
            await api("POST", meetingPath("/recording"), { outcome: "stopped" });
          } catch (err) {
            stop.disabled = false;
            document.getElementById("error").textContent = err.message;
            api("POST", meetingPath("/recording"), { outcome: "failed",
              detail: String(err.message).slice(0, 300) }).catch(function () {});
          }
        });
        card.append(stop);
      }
      document.getElementById("alerts").prepend(card);
    }
    const stopped = kind === "recording.stopped" || kind === "recording.panel_stopped";
    const why = d.reason || d.detail;
    card.querySelector(".what").textContent = RECORDING[kind] + (why && !stopped ?
      ": " + why + ". Stop it from the host's controls." : "");
    card.classList.toggle("done", stopped);
    const button = card.querySelector("button");
    if (button) button.hidden = stopped;
  }

  function offerInvite() {
    const invite = document.getElementById("invite");
    if (!bridge.inviteAll) return;
    invite.hidden = false;
    invite.addEventListener("click", function () { act(invite, async function () {
      await bridge.inviteAll();
      await api("POST", meetingPath("/checkin-invitations"), {});
    }, "invited"); });
  }

  function groupIsYours(d) {
    if (!session.staff || d.by === session.staff) return;
    const card = el("div", undefined, "alert");
    card.dataset.kind = "secure-group";
    card.append(el("strong", d.by + " took a client to a 1:1 room: the group is yours."),
      el("p", d.script));
    document.getElementById("alerts").prepend(card);
  }

  let bridge = null;
  let clients = [];

  async function act(button, work, doneText) {
    button.disabled = true;
    try {
      await work();
      button.textContent = doneText || "done";
    } catch (err) {
      button.disabled = false;
      document.getElementById("error").textContent = err.message;
    }
  }

  async function link(participant, client) {
    try {
      await api("POST", meetingPath("/participants/" + encodeURIComponent(participant) +
        "/link"), { client: client });
    } catch (err) {
      document.getElementById("error").textContent = "Could not link: " + err.message;
    }
  }

  async function start() {
    bridge = window.tetherBridge || browserBridge();
    session = await bridge.session();
    window.tetherPanel = { api: api, meetingPath: meetingPath, el: el, nameOf: nameOf,
      clientName: clientName, session: session, say: function (text) {
        document.getElementById("error").textContent = text;
      } };
    const roster = await api("GET", meetingPath("/roster"));
    const checkins = roster.checkins || {};
    clients = roster.clients || [];
    for (const p of roster.people) people.set(p.participant, p);
    renderRoster(checkins);
    offerInvite();
    const meta = roster.meta || {};
    if (Number(meta.recording_started_at || 0) > Number(meta.recording_stopped_at || 0)) {
      recording("recording.started", {});
    }
    window.tetherFirstPaint = performance.now();
    const url = meetingPath("/stream") + "?last_event_id=" +
      encodeURIComponent(roster.last_event_id);
    const stream = new EventSource(url);  // the session cookie goes with it
    stream.addEventListener("signed_out", function () {
      stream.close();
      document.getElementById("conn").textContent = "signed out";
      window.tetherAuth.ended("your session ended");
    });
    stream.onopen = function () { document.getElementById("conn").textContent = "live"; };
    stream.onerror = function () { document.getElementById("conn").textContent = "reconnecting…"; };
    for (const kind of KINDS) {
      stream.addEventListener(kind, function (event) {
        onEntry(kind, JSON.parse(event.data), checkins);
      });
    }
    setInterval(tick, 1000);
  }

  start().catch(function (err) {
    document.getElementById("error").textContent = "Tether could not load: " + err.message;
  });
})();
