// Words for what the timeline says: names and numbers as people read them, never ids.

export const OUTCOMES = {
  reached: "Reached: pressed 1 to talk",
  voicemail: "Voicemail (no message about them was left)",
  fax: "A fax machine answered",
  no_key: "Picked up but pressed nothing",
  "no-answer": "No answer",
  busy: "Busy",
  failed: "The call could not be placed",
  canceled: "The call was cancelled",
};

// "+13125550111" -> "(312) 555-0111"; anything else as it was written
export function phone(number) {
  const n = String(number || "");
  const m = n.match(/^\+1(\d{3})(\d{3})(\d{4})$/);
  return m ? "(" + m[1] + ") " + m[2] + "-" + m[3] : n;
}

export function telHref(number) {
  return "tel:" + String(number || "").replace(/[^0-9+]/g, "");
}

let zone;  // the program's time zone: times read as they do where the group meets

export function setZone(tz) {
  zone = tz || undefined;
}

export function clock(ms) {
  return new Date(ms).toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit",
    timeZone: zone });
}

// How sure we are of where they are: "checked in 7:02 PM", "on file, not confirmed today"
export function locationAge(card) {
  if (card.stale) return "STALE: said they moved" + (card.moved_at ? " at " + clock(card.moved_at) : "");
  if (card.checked_in_at) return "checked in " + clock(card.checked_in_at);
  return "on file, not confirmed today";
}

export const REASONS = { disconnected: "connection lost", unknown: "left without a reason",
  left: "left the meeting", removed_by_host: "removed from the meeting",
  meeting_ended: "the meeting ended" };

// Whom a ladder call went to, from the dispatch card: {name, number, support}
export function target(t, card, fallbackName) {
  const name = (card && card.name) || fallbackName || "the client";
  if (t === "client" || !t) return { name: name, number: card ? card.callback_phone : "" };
  const i = Number(String(t).split(":")[1]);
  const c = card && card.support_contacts ? card.support_contacts[i] : null;
  return c ? { name: c.name, number: c.phone, support: true }
    : { name: name + "'s support person", number: "", support: true };
}

export function callee(who) {
  return who.name + (who.support ? " (support person)" : "") +
    (who.number ? " at " + phone(who.number) : "");
}

export function attemptText(n, of) {
  return of ? " (attempt " + n + " of " + of + ")" : " (attempt " + n + ")";
}

export const ROLE_TEXT = {
  lead: "You lead this group",
  co_facilitator: "You co-facilitate this group",
  other: "You care for this group",
};

// The roster in a clinician's words: who someone is, where they are, whether they checked in
export const IDENTITY = { client: "Client", staff: "Staff", unknown: "Not matched to a client yet" };

const GONE = {
  disconnected: "Dropped off the call",
  left: "Left the meeting",
  removed_by_host: "Removed by the host",
  meeting_ended: "The meeting ended",
  left_waiting_room: "Left the waiting room",
  moved_to_breakout: "Moving to a breakout room",
  moved_to_main: "Moving back to the main room",
  unknown: "Left (no reason given)",
};

// "In breakout room 2": room is its number among the rooms in use (0: the main room)
export function whereText(p, room) {
  if (p.status === "present") return room ? "In breakout room " + room : "In the meeting";
  if (p.status === "waiting") return "In the waiting room";
  return GONE[p.reason] || "Not in the meeting";
}

export function checkinWords(mine) {
  if (!mine.checked_in_at) return "Not checked in yet";
  if (mine.stale) return "Said they moved: address may be out of date";
  return "Checked in " + clock(mine.checked_in_at);
}
