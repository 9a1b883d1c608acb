// Loading the panel's state from the API (roster, the whole timeline, open incidents) and
// following the live stream from where the roster left off, so a reload shows the same.
import { api, meetingPath } from "./api.js";

export const KINDS = ["roster", "alert.disconnected", "alert.unidentified_drop", "ladder.dialing",
  "ladder.call_outcome", "ladder.answered", "ladder.acknowledged", "ladder.stopped",
  "ladder.responders_prompt", "ladder.exhausted", "ladder.dial_failed", "ladder.skipped",
  "checkin.submitted", "recording.started", "recording.stop_requested", "recording.stop_failed",
  "triage.started", "triage.moved", "triage.ended", "triage.failed", "participant.linked",
  "alert.checkin_missing", "checkin.moved", "checkin.unmatched", "recording.stopped",
  "recording.panel_stopped", "recording.panel_failed", "alert.code_word", "alert.need_moment",
  "alert.outside_license", "incident.opened", "incident.screened", "incident.checked",
  "incident.closed", "emergency.started", "emergency.step", "emergency.contact",
  "alert.followup_overdue", "ladder.bridge", "ladder.bridge_missed", "ladder.call_now",
  "ladder.text_failed", "sms.reply", "alert.responders_unreached", "alert.sms_undelivered",
  "alert.checkin_code_unsent", "checkin.code_failed", "checkin.code_refused", "alert.seen", "alert.checkin_due",
  "incident.checkin_scheduled", "incident.checkin_outcome",
  "incident.checkin_moved", "incident.checkin_cancelled",
  "calming.used", "agreement.made", "agreement.extended", "agreement.ended", "agreement.reminder"];

function after(a, b) {  // stream ids "ms-seq": is a later than b?
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am > bm || (am === bm && as > bs);
}

const PROBLEMS = {
  404: "There is no meeting at this link: Tether has not heard from it yet. If the group " +
    "has not started, open the panel again once it has.",
  403: "This group is not one you care for, so its panel is not open to you.",
};

async function replay(meeting, last, apply, state) {
  let from = "-";
  for (;;) {
    const r = await api("GET", meetingPath(meeting, "/timeline?after=" + encodeURIComponent(from)));
    if (!r.ok) throw new Error("the meeting's timeline could not load (" + r.status + ")");
    const entries = r.data.entries || [];
    for (const e of entries) {
      if (after(e.id, last)) return;
      if (e.kind !== "roster") apply(state, e.kind, e);
    }
    if (entries.length < 1000) return;
    from = entries[entries.length - 1].id;
  }
}

export async function load(bridge, auth, apply, state) {
  const session = await bridge.session();
  const me = await auth.whoami();
  if (!session.meeting) return { problem: "No meeting was named: choose one of your groups." };
  const r = await api("GET", meetingPath(session.meeting, "/roster"));
  if (!r.ok) return { problem: PROBLEMS[r.status] || "The meeting could not load: Tether answered " + r.status + "." };
  const roster = r.data;
  await replay(session.meeting, roster.last_event_id, apply, state);
  state.people = {};
  for (const p of roster.people) state.people[p.participant] = p;
  state.checkins = roster.checkins || {};
  const meta = roster.meta || {};
  if (Number(meta.recording_started_at || 0) > Number(meta.recording_stopped_at || 0) && !state.recording) {
    state.recording = { kind: "recording.started", why: "" };
  }
  const open = await api("GET", "/api/incidents");
  for (const i of (open.ok ? open.data.incidents : [])) {
    if (i.meeting === session.meeting) state.incidents[i.id] = { id: i.id, client: i.client, closed: Boolean(i.closed) };
  }
  const group = roster.group ? roster.group.name : "a meeting";
  return { session: session, me: me, roster: roster, state: state,
    skew: (roster.now || Date.now()) - Date.now(), title: "Tether: " + group,
    meetingFailure: session.meetingFailure || null };
}

export function openStream(meeting, last, on) {
  const stream = new EventSource(meetingPath(meeting, "/stream") + "?last_event_id=" +
    encodeURIComponent(last));  // the session cookie goes with it
  stream.addEventListener("signed_out", () => {
    stream.close();
    on.conn("signed out");
    on.signedOut();
  });
  stream.onopen = () => on.conn("live");
  stream.onerror = () => on.conn("reconnecting…");
  for (const kind of KINDS) {
    stream.addEventListener(kind, (event) => on.entry(kind, JSON.parse(event.data)));
  }
  return () => stream.close();
}
