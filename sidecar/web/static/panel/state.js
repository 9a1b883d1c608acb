// The panel's state, rebuilt from the timeline on load and kept up by the live stream.
// Only facts (ids, outcomes, times) live here; words are made when rendering.

export function empty() {
  return { people: {}, checkins: {}, ladders: {}, notes: [], recording: null, secure: [],
    incidents: {}, fresh: 0 };
}

const ENDS = { "ladder.answered": "answered", "ladder.acknowledged": "acked",
  "ladder.stopped": "stopped", "ladder.exhausted": "exhausted" };

const NOTES = { "alert.code_word": "code-word", "alert.need_moment": "need-moment",
  "alert.outside_license": "outside-license", "alert.followup_overdue": "followup-overdue",
  "alert.checkin_missing": "checkin-missing", "checkin.moved": "checkin-moved",
  "checkin.unmatched": "checkin-unmatched", "alert.checkin_code_unsent": "checkin-code-unsent",
  "checkin.code_refused": "checkin-code-capped", "ladder.bridge": "bridge",
  "ladder.bridge_missed": "bridge", "sms.reply": "sms-reply",
  "alert.responders_unreached": "responders-unreached", "alert.sms_undelivered": "sms-undelivered",
  "ladder.text_failed": "text-failed", "alert.unidentified_drop": "unidentified-drop",
  "alert.checkin_due": "checkin-due" };

// Silent alerts only the clinicians see; each may open a safety check
export const SILENT = { "code-word": "code_word", "need-moment": "need_moment",
  "outside-license": "clinician" };

function note(s, kind, key, d, at) {
  s.notes = s.notes.filter((n) => !(n.kind === kind && n.key === key));
  s.notes.push({ kind: kind, key: key, data: d, at: at });
  return true;
}

// "Seen" by anyone: the card goes away in every panel and stays away after a reload
function seenEntry(s, kind, d) {
  if (kind !== "alert.seen") return false;
  s.notes = s.notes.filter((n) => !(n.kind === d.note && n.key === d.key));
  return true;
}

function ladderEntry(s, kind, d, at) {
  if (kind === "alert.disconnected") {
    s.ladders[d.subject] = { subject: d.subject, participant: d.participant,
      client: d.subject.startsWith("client:") ? d.subject.slice(7) : "", reason: d.reason,
      due: d.callback_due, at: at, history: [], end: null, responders: false };
    return true;
  }
  const l = s.ladders[d.subject];
  if (!l) return false;
  if (ENDS[kind]) {
    if (!l.end || kind === "ladder.exhausted") l.end = { type: ENDS[kind], at: at, ...d };
    return false;
  }
  if (kind === "ladder.responders_prompt") {
    l.responders = true;
    l.history.push({ type: "prompt", at: at, ...d });
    return l.history.filter((h) => h.type === "prompt").length === 1;  // a new alert
  }
  const type = { "ladder.dialing": "dialing", "ladder.call_outcome": "outcome",
    "ladder.skipped": "skipped", "ladder.dial_failed": "dial_failed",
    "ladder.call_now": "call_now" }[kind];
  if (type) l.history.push({ type: type, at: at, ...d });
  return false;
}

// One timeline entry into the state; true when it is a new alert to announce
export function apply(s, kind, entry) {
  const d = entry.data || {};
  const at = entry.at;
  if (kind === "roster") {
    s.people[d.participant] = d;
    return false;
  }
  if (seenEntry(s, kind, d)) return false;
  if (kind.startsWith("ladder.") && kind !== "ladder.bridge" && kind !== "ladder.bridge_missed"
      && kind !== "ladder.text_failed" || kind === "alert.disconnected") {
    return ladderEntry(s, kind, d, at);
  }
  if (kind === "checkin.submitted") {
    s.checkins[d.client] = { checked_in_at: at, stale: false };
    s.notes = s.notes.filter((n) => !(n.key === d.client &&
      (n.kind === "checkin-missing" || n.kind === "checkin-moved")));
    return false;
  }
  if (kind === "checkin.moved") {
    s.checkins[d.client] = { ...(s.checkins[d.client] || {}), stale: true, moved_at: at };
  }
  if (kind === "checkin.code_failed") {
    return d.client && d.dead && d.reason === "wrong" ?
      note(s, "checkin-code-dead", d.client, d, at) : false;
  }
  if (NOTES[kind] && d.incident && s.incidents[d.incident]) {  // a check-in due or overdue
    s.incidents[d.incident].version = (s.incidents[d.incident].version || 0) + 1;
  }
  if (NOTES[kind]) {
    const key = d.client || d.subject || d.participant || "";
    return note(s, NOTES[kind], kind === "alert.sms_undelivered" ? key + (d.to || "") : key, d, at);
  }
  if (kind.startsWith("recording.")) {
    s.recording = { kind: kind, why: d.reason || d.detail || "" };
    return kind === "recording.started";
  }
  if (kind === "triage.started") {
    s.secure.push({ by: d.by, script: d.script, at: at });
    return false;
  }
  if (kind === "triage.ended" || kind === "triage.failed") {
    s.secure = [];
    return false;
  }
  if (d.incident && s.incidents[d.incident]) {  // the view reloads on each change
    s.incidents[d.incident].version = (s.incidents[d.incident].version || 0) + 1;
  }
  if (kind === "incident.opened") {
    s.incidents[d.incident] = { id: d.incident, client: d.client, closed: false };
  } else if (kind === "incident.closed" && s.incidents[d.incident]) {
    s.incidents[d.incident].closed = true;
  } else if (kind === "emergency.started" && !s.incidents[d.incident]) {
    s.incidents[d.incident] = { id: d.incident, client: d.client || "", closed: false };
  }
  return false;
}

export function dismiss(s, kind, key) {
  s.notes = s.notes.filter((n) => !(n.kind === kind && n.key === key));
}
