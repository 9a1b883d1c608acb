// The clinicians' panel: platform-neutral. A bridge (the Zoom Apps SDK, the Jitsi console,
// or the signed-in browser below) supplies the session; the panel rebuilds its state from
// Tether's API (roster, timeline, incidents) and keeps it up from the live stream. Every
// platform and record string is text (htm), never HTML.
import { html, render, useEffect, useRef, useState } from "/static/vendor/preact-htm.js";
import { LadderCard, NoteCard, RecordingCard, ladderNow } from "./alerts.js";
import { api, meetingPath, must, sentence } from "./api.js";
import { Agreements } from "./agreements.js";
import { ActButton } from "./button.js";
import { CalmSheet } from "./calm.js";
import { Picker } from "./picker.js";
import { PlanSend } from "/static/plan-send.js";
import { Roster } from "./roster.js";
import { ready, setSound, soundOn, tone } from "./sound.js";
import { apply, dismiss, empty } from "./state.js";
import { KINDS, load, openStream } from "./sync.js";
import { ROLE_TEXT, setZone } from "./words.js";

function browserBridge() {  // /panel#meeting=<id>, for the signed-in person
  return { session: async () => {
    const p = new URLSearchParams(window.location.hash.slice(1));
    const me = await window.tetherAuth.whoami();
    return { meeting: p.get("meeting") || "", staff: me.staff, name: me.name };
  } };
}

const bridge = window.tetherBridge || browserBridge();
let incidentModule = null;  // the safety check and emergency view (panel/incident.js)

function loadIncidents() {
  if (!incidentModule) incidentModule = import("./incident.js");
  return incidentModule;
}

function roleOf(me, group) {
  if (!group || !me) return "";
  if (group.lead === me.staff) return "lead";
  if (group.co_facilitator === me.staff) return "co_facilitator";
  return "other";
}

function Incidents({ s, ctx }) {
  const [mod, setMod] = useState(null);
  const [failed, setFailed] = useState(false);
  const open = Object.values(s.incidents).filter((i) => !i.closed);
  useEffect(() => {
    if (open.length && !mod && !failed) loadIncidents().then(setMod, () => setFailed(true));
  }, [open.length]);
  if (!open.length) return null;
  if (failed) return html`<section id="incident"><p class="error-line">The safety check could not load: reload to try again</p></section>`;
  if (!mod) return html`<section id="incident"><p>Loading the safety check…</p></section>`;
  const View = mod.IncidentView;
  return html`<section id="incident" aria-label="Safety check">
    ${open.map((i) => html`<${View} key=${i.id} id=${i.id} ctx=${ctx.incidentCtx(i.id)}
      version=${i.version || 0} />`)}</section>`;
}

function MeetingLine({ failure }) {  // the platform's meeting script failed: say so once
  const [busy, setBusy] = useState(false);
  if (!failure) return null;
  return html`<p class="meeting-failed">${failure.message}${" "}
    <button type="button" disabled=${busy} onClick=${async () => {
      setBusy(true);
      try { await failure.retry(); } catch (err) { /* the bridge says so again */ }
      setBusy(false);
    }}>Retry</button></p>`;
}

function SoundChoice() {
  const [on, setOn] = useState(soundOn());
  return html`<p id="sound-choice"><label><input type="checkbox" id="sound" checked=${on}
    onChange=${(e) => { setSound(e.currentTarget.checked); setOn(e.currentTarget.checked); }} />
    ${" "}Sound when an alert arrives while this tab is hidden</label></p>`;
}

function Panel({ boot }) {
  const s = useRef(boot.state).current;
  const [, setVersion] = useState(0);
  const [now, setNow] = useState(Date.now() + boot.skew);
  const [conn, setConn] = useState("connecting…");
  const [error, setError] = useState("");
  const [polite, setPolite] = useState("");
  const [loud, setLoud] = useState("");
  const [failure, setFailure] = useState(boot.meetingFailure);
  const [triage, setTriage] = useState([]);
  // "Send safety plan": whose, kept over a reload (sidecar/plan)
  const [planFor, setPlanFor] = useState(() => sessionStorage.getItem(PLAN_KEY) || "");
  const sendPlan = (client) => {
    if (client) sessionStorage.setItem(PLAN_KEY, client); else sessionStorage.removeItem(PLAN_KEY);
    setPlanFor(client);
  };
  const [calm, setCalm] = useState("");  // the client whose calming tools are open
  const cards = useRef({});
  const spoken = useRef({});  // per ladder, the countdown's seconds when last read out
  const redraw = () => setVersion((v) => v + 1);
  const m = boot.session.meeting;
  const path = (rest) => meetingPath(m, rest);
  const clients = boot.roster.clients || [];
  const staff = (boot.roster.group && boot.roster.group.staff) || {};

  function fetchCard(client, again) {
    const c = cards.current[client];
    if (!client || (c && !again)) return;
    cards.current[client] = c || { card: null, error: "" };
    api("GET", path("/clients/" + encodeURIComponent(client) + "/dispatch")).then((r) => {
      cards.current[client] = r.ok ? { card: r.data, error: "" }
        : { card: null, error: "The dispatch card could not load: " + sentence(r) };
      redraw();
    });
  }

  function fetchPrivacy(client) {  // the answers are sealed: not on the timeline, asked for
    api("GET", path("/privacy-answers")).then((r) => {
      const mine = r.ok && s.checkins[client];
      if (!mine) return;
      mine.privacy = (r.data.clients || {})[client] || [];
      redraw();
    });
  }

  async function act(event, work) {  // a button whose card changes when the work is done
    const button = event.currentTarget;
    button.disabled = true;
    setError("");
    try {
      await work();
    } catch (err) {
      setError(err.message);
    } finally {
      button.disabled = false;
    }
  }

  const ctx = {
    bridge: bridge, must: must, path: path, act: act, say: setError, steps: boot.roster.callback_steps || [],
    sendPlan: sendPlan,
    card: (client) => (cards.current[client] || {}).card || null,
    cardError: (client) => (cards.current[client] || {}).error || "",
    clientName: (id) => { const c = clients.find((x) => x.id === id); return c ? c.name : ""; },
    staffName: (id) => staff[id] || id || "a clinician",
    displayName: (p) => (s.people[p] || {}).display_name || "a participant",
    dismiss: (kind, key) => {  // put away here at once; the timeline tells every panel
      dismiss(s, kind, key);
      redraw();
      must("POST", path("/alerts/seen"), { note: kind, key: String(key) })
        .catch((err) => setError("Could not mark the alert seen for everyone: " + err.message));
    },
    link: (participant, client) => must("POST", path("/participants/" +
      encodeURIComponent(participant) + "/link"), { client: client })
      .catch((err) => setError("Could not link: " + err.message)),
    ack: (event, subject) => act(event, () => must("POST", path("/ladders/" +
      encodeURIComponent(subject) + "/ack"), { note: "I'm calling them" })),
    openIncident: async (client, trigger) => {
      setError("");
      try {
        const i = await must("POST", path("/clients/" + encodeURIComponent(client) + "/incidents"),
          { trigger: trigger });
        s.incidents[i.id] = { id: i.id, client: client, closed: false };
        redraw();
      } catch (err) { setError("The safety check could not open: " + err.message); }
    },
    emergency: async (client, reason) => {
      let mod;
      try { mod = await loadIncidents(); } catch (err) {
        throw new Error("The safety check could not load: reload to try again");
      }
      const id = await mod.startEmergency(ctx.incidentCtx(""), { meeting: m, client: client, reason: reason });
      s.incidents[id] = { id: id, client: client, closed: false };
      redraw();
    },
    calm: (client) => setCalm(client),
    incidentCtx: (id) => ({ api: api, me: boot.me, meeting: m, clientName: ctx.clientName,
      staffName: ctx.staffName, calm: ctx.calm, onClosed: () => {
        if (s.incidents[id]) s.incidents[id].closed = true;
        redraw();
      } }),
    triage: (event, participant) => act(event, async () => {
      const started = await must("POST", path("/triage"), { participant: participant, phase: "started" });
      try {
        await bridge.startTriage({ participant: participant, roomName: started.room_name });
      } catch (err) {
        api("POST", path("/triage"), { participant: participant, phase: "failed",
          detail: String(err.message).slice(0, 300) });
        throw err;
      }
      await must("POST", path("/triage"), { participant: participant, phase: "moved" });
      setTriage((t) => t.concat([participant]));
    }),
    endTriage: (event, participant) => act(event, async () => {
      await bridge.endTriage({ participant: participant });
      await must("POST", path("/triage"), { participant: participant, phase: "ended" });
      setTriage((t) => t.filter((x) => x !== participant));
    }),
    stopRecording: (event) => act(event, async () => {
      try {
        await bridge.stopRecording();
      } catch (err) {
        api("POST", path("/recording"), { outcome: "failed", detail: String(err.message).slice(0, 300) });
        throw err;
      }
      await must("POST", path("/recording"), { outcome: "stopped" });
    }),
  };
  window.tetherPanel = { session: boot.session, clientName: ctx.clientName, staffName: ctx.staffName };

  useEffect(() => {
    for (const l of Object.values(s.ladders)) fetchCard(l.client);
    const close = openStream(m, boot.roster.last_event_id, {
      conn: setConn,
      signedOut: () => window.tetherAuth.ended("your session ended"),
      entry: (kind, entry) => {
        const fresh = apply(s, kind, entry);
        const d = entry.data || {};
        const subject = d.subject && s.ladders[d.subject];
        if (subject) fetchCard(subject.client, kind === "ladder.responders_prompt");
        if (kind === "checkin.submitted" && d.client) fetchPrivacy(d.client);
        if ((kind === "checkin.submitted" || kind === "checkin.moved") && cards.current[d.client]) {
          fetchCard(d.client, true);
        }
        if (fresh) announce(kind, d); else if (subject) setPolite(ladderNow(subject, ctx, Date.now() + boot.skew));
        redraw();
        window.dispatchEvent(new CustomEvent("tether:entry", { detail: { kind: kind, data: d } }));
      },
    });
    const timer = setInterval(() => setNow(Date.now() + boot.skew), 1000);
    const seen = () => { if (!document.hidden) document.title = boot.title; };
    document.addEventListener("visibilitychange", seen);
    const prime = () => { if (soundOn()) ready(); };
    document.addEventListener("pointerdown", prime);
    document.addEventListener("keydown", prime);
    if (bridge.onMeetingFailure) bridge.onMeetingFailure(setFailure);
    window.tetherFirstPaint = performance.now();
    return () => {
      close();
      clearInterval(timer);
      document.removeEventListener("visibilitychange", seen);
      document.removeEventListener("pointerdown", prime);
      document.removeEventListener("keydown", prime);
    };
  }, []);

  function announce(kind, d) {
    const l = d.subject && s.ladders[d.subject];
    const who = l ? ctx.clientName(l.client) || "Someone not on the client list" : ctx.clientName(d.client);
    const text = kind === "alert.disconnected" ? who + " dropped off the call."
      : kind === "ladder.responders_prompt" ? "Nobody answered for " + who + ": send responders."
        : kind === "recording.started" ? "Cloud recording started." : "New alert" + (who ? " about " + who : "") + ".";
    setLoud(text);
    if (!document.hidden) return;
    document.title = "\u26a0 " + text + " Tether";
    if (soundOn()) tone();
  }

  // the countdown is read out when it starts, then at most every 10 s (the visible number
  // ticks every second)
  useEffect(() => {
    for (const l of Object.values(s.ladders)) {
      if (l.end || l.history.length) continue;
      const left = Math.ceil((l.due - now) / 1000);
      const said = spoken.current[l.subject + l.at];
      if (left > 0 && (said === undefined || said - left >= 10)) {
        spoken.current[l.subject + l.at] = left;
        setPolite(ladderNow(l, ctx, now));
      }
    }
  }, [Math.floor(now / 1000)]);

  const role = roleOf(boot.me, boot.roster.group);
  const group = boot.roster.group;
  const ladders = Object.values(s.ladders).sort((a, b) => b.at - a.at);
  const live = ladders.filter((l) => !l.end || l.responders);
  const done = ladders.filter((l) => l.end && !l.responders);
  const others = group ? [group.lead, group.co_facilitator].filter((x) => x && x !== boot.me.staff) : [];
  return html`
    <header>
      <h1><span class="brand">Tether</span> <span id="meeting-name">${group ? group.name : "A meeting not in the program"}</span></h1>
      <p id="role">${role ? ROLE_TEXT[role] : ""}${others.length ? " with " + others.map(ctx.staffName).join(" and ") : ""}</p>
      <span id="conn">${conn}</span>
      <${SoundChoice} />
    </header>
    <${MeetingLine} failure=${failure} />
    <div class="visually-hidden" role="status" id="announce">${polite}</div>
    <div class="visually-hidden" aria-live="assertive" id="announce-alert">${loud}</div>
    <main>
      <section id="alerts" aria-labelledby="alerts-title">
        <h2 id="alerts-title" class="visually-hidden">Alerts</h2>
        ${s.recording ? html`<${RecordingCard} r=${s.recording} ctx=${ctx} />` : null}
        <${Agreements} now=${now} ctx=${ctx} />
        ${live.map((l) => html`<${LadderCard} key=${l.subject + l.at} l=${l} ctx=${ctx} now=${now} />`)}
        ${s.secure.filter((x) => x.by !== boot.me.staff).map((x) => html`<article class="alert" data-kind="secure-group">
          <strong>${ctx.staffName(x.by)} took a client to a 1:1 room: the group is yours.</strong><p>${x.script}</p></article>`)}
        ${triage.map((p) => html`<article class="alert done" data-kind="triage">
          <p>1:1 with ${ctx.displayName(p)}</p>
          <button type="button" onClick=${(e) => ctx.endTriage(e, p)}>Return to the group</button></article>`)}
        ${s.notes.map((n) => html`<${NoteCard} key=${n.kind + n.key} n=${n} ctx=${ctx} />`)}
        ${done.map((l) => html`<${LadderCard} key=${l.subject + l.at} l=${l} ctx=${ctx} now=${now} />`)}
      </section>
      ${calm ? html`<${CalmSheet} key=${calm} client=${calm} ctx=${ctx} close=${() => setCalm("")} />` : null}
      <${Incidents} s=${s} ctx=${ctx} />
      <section aria-labelledby="people-title">
        <h2 id="people-title">Participants${" "}
          ${bridge.inviteAll ? html`<${ActButton} id="invite" label="Invite everyone to check in"
            done="invited" say=${setError} work=${async () => {
              await bridge.inviteAll();
              await must("POST", path("/checkin-invitations"), {});
            }} />` : null}</h2>
        <${Roster} people=${s.people} checkins=${s.checkins} clients=${clients} ladders=${s.ladders} ctx=${ctx} />
      </section>
      ${planFor ? html`<${PlanSend} key=${planFor} client=${planFor} focus=${true}
          name=${ctx.clientName(planFor) || "this client"} base="/api/clients" call=${api}
          id="plan-send" onClose=${() => sendPlan("")} />` : null}
      <p id="error" role="status">${error}</p>
    </main>`;
}

const PLAN_KEY = "tether-plan-send";

function Trouble({ text, picker }) {
  const [, setHash] = useState("");
  return html`<header><h1><span class="brand">Tether</span> <span id="meeting-name">${picker ? "Your groups" : "The safety panel"}</span></h1>
      <span id="conn">${picker ? "" : "not connected"}</span></header>
    <main>
      ${text ? html`<p id="error" role="status">${text}</p>` : html`<p id="error" role="status"></p>`}
      ${picker ? html`<${Picker} onPick=${() => setHash("x")} />` : null}
    </main>`;
}

async function start() {
  const browser = !window.tetherBridge;
  if (browser && !new URLSearchParams(window.location.hash.slice(1)).get("meeting")) {
    await window.tetherAuth.whoami();
    document.title = "Tether: choose a group";
    return show(html`<${Trouble} text="" picker=${true} />`);
  }
  const boot = await load(bridge, window.tetherAuth, apply, empty());
  if (boot.problem) {
    return show(html`<${Trouble} text=${boot.problem} picker=${browser} />`);
  }
  document.title = boot.title;
  setZone(boot.roster.time_zone);
  show(html`<${Panel} boot=${boot} />`);
}

const root = document.getElementById("app");
let cleared = false;

function show(vnode) {
  if (!cleared) root.textContent = "";  // the "loading" line: Preact owns the page from here
  cleared = true;
  render(vnode, root);
}
window.addEventListener("hashchange", () => window.location.reload());
start().catch((err) => show(html`<${Trouble} text=${"Tether could not load: " + err.message} picker=${false} />`));
export { KINDS };
