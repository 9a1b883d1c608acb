// Proactive check-ins on an incident: schedule a call (the clinician phones the client) or
// a text to the client, see each one scheduled, due, overdue or done, and record how it
// went. After a moderate or high screen the form is open, pre-filled with tomorrow's
// suggested time in the program's zone; otherwise one button opens it.
//
//   CheckIns({ incident, ctx })   ctx as for IncidentView (api, me, clientName, staffName)
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";

const enc = encodeURIComponent;
const WAYS = { call: "Call from ", text: "Text to " };
const STATES = { scheduled: "Scheduled", due: "Due now", overdue: "Overdue",
  cancelled: "Cancelled" };
const RESULTS = [["okay", "Reached: okay"], ["needs_follow_up", "Reached: needs follow-up"],
  ["not_reached", "Not reached"]];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
  "Dec"];

function sentence(r) {
  const d = r.data || {};
  if (typeof d === "string") return d;
  return d.error || [].concat(d.errors || []).join(" ") ||
    "Tether could not do that (HTTP " + r.status + ").";
}

// "2026-12-03T10:00" (the program's local time) as "Thu 3 Dec, 10:00"
function local(text) {
  const [date, time] = String(text).split("T");
  const [y, m, d] = date.split("-").map(Number);
  return DAYS[new Date(y, m - 1, d).getDay()] + " " + d + " " + MONTHS[m - 1] + ", " + time;
}

function zoneWords(zone) {
  return String(zone || "").split("/").pop().replace(/_/g, " ") + " time";
}

// What a check-in still waiting can become: its outcome, a new time, or cancelled.
function Outcome({ c, base, who, post, close }) {
  const [result, setResult] = useState("");
  const [note, setNote] = useState("");
  const [said, setSaid] = useState("");
  async function save() {
    if (!result) { setSaid("Choose how the check-in went."); return; }
    setSaid(await post("outcome", { result: result, note: note }));
  }
  return html`<div class="outcome">
    <fieldset><legend>How did the check-in go?</legend>
      ${RESULTS.map(([k, label]) => html`<label class="choice">
        <input type="radio" name=${base + "-result"} value=${k} checked=${result === k}
          onChange=${() => setResult(k)} />${label}</label>`)}</fieldset>
    <label for=${base + "-note"}>Note (optional)</label>
    <textarea id=${base + "-note"} rows="2" maxlength="500" value=${note}
      onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
    <button type="button" class="primary save-outcome" onClick=${save}>Save outcome</button>
    <button type="button" class="back" onClick=${close}>Back</button>
    <p class="said" role="status">${said}</p></div>`;
}

function Move({ c, base, list, post, close }) {
  const [at, setAt] = useState(c.due_local);
  const [said, setSaid] = useState("");
  return html`<div class="move">
    <label for=${base + "-at"}>New time (${zoneWords(list.time_zone)})</label>
    <input id=${base + "-at"} type="datetime-local" value=${at}
      onInput=${(e) => setAt(e.currentTarget.value)} />
    <button type="button" class="primary save-move"
      onClick=${async () => setSaid(await post("move", { at: at }))}>Move check-in</button>
    <button type="button" class="back" onClick=${close}>Back</button>
    <p class="said" role="status">${said}</p></div>`;
}

function Cancel({ base, post, close }) {
  const [reason, setReason] = useState("");
  const [said, setSaid] = useState("");
  return html`<div class="cancel">
    <label for=${base + "-why"}>Why is it no longer needed? (optional)</label>
    <textarea id=${base + "-why"} rows="2" maxlength="500" value=${reason}
      onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
    <button type="button" class="primary save-cancel"
      onClick=${async () => setSaid(await post("cancel", { reason: reason }))}>
      Cancel check-in</button>
    <button type="button" class="back" onClick=${close}>Keep it</button>
    <p class="said" role="status">${said}</p></div>`;
}

function Line({ c, list, incident, ctx, setList }) {
  const [open, setOpen] = useState("");  // "", "outcome", "move" or "cancel"
  const name = ctx.clientName(incident.client) || "the client";
  const who = c.way === "call" ? WAYS.call + c.assignee_name : WAYS.text + name;
  const base = "checkin-" + c.id;
  async function post(step, body) {  // "" when done (the list is the new one), else why not
    const r = await ctx.api("POST", "/api/incidents/" + enc(incident.id) + "/check-ins/" +
      enc(c.id) + "/" + step, body);
    if (!r.ok) return sentence(r);
    setOpen("");
    setList(r.data);
    return "";
  }
  const done = c.outcome;
  const gone = c.cancelled;
  const got = done ? RESULTS.find(([k]) => k === done.result)[1] + (done.by === "client"
    ? " (the client replied 1)" : " (recorded by " + ctx.staffName(done.by) + ")")
    : gone ? "Cancelled by " + ctx.staffName(gone.by) : "";
  const close = () => setOpen("");
  const props = { c: c, base: base, who: who, list: list, post: post, close: close };
  const forms = { outcome: Outcome, move: Move, cancel: Cancel };
  return html`<li class=${"checkin " + c.state} data-state=${c.state}>
    <span class="title">${who}</span>
    <span class="due">${local(c.due_local)}</span>
    <span class="state">${got || STATES[c.state]}${c.reply === "call" && !done
      ? ": the client texted 2 and wants a call" : ""}${c.texted === false
      ? ": the text could not be sent, call instead" : ""}</span>
    ${done && done.note ? html`<span class="note">${done.note}</span>` : null}
    ${gone && gone.reason ? html`<span class="note">${gone.reason}</span>` : null}
    ${done || gone ? null : open ? html`<${forms[open]} ...${props} />`
    : html`<div class="checkin-actions">
        <button type="button" class="record-outcome" aria-label=${"Record outcome: " + who}
          onClick=${() => setOpen("outcome")}>Record outcome</button>
        ${c.reply ? null : html`<button type="button" class="move-checkin"
          aria-label=${"Move to another time: " + who}
          onClick=${() => setOpen("move")}>Move</button>`}
        <button type="button" class="cancel-checkin" aria-label=${"Cancel: " + who}
          onClick=${() => setOpen("cancel")}>Cancel</button></div>`}
  </li>`;
}

function Schedule({ list, incident, ctx, setList }) {
  const [open, setOpen] = useState(list.offered && !list.check_ins.length);
  const [way, setWay] = useState("call");
  const [at, setAt] = useState(list.suggested_local);
  const [assignee, setAssignee] = useState(
    list.clinicians.some((c) => c.id === ctx.me.staff) ? ctx.me.staff : "");
  const [said, setSaid] = useState("");
  const base = "schedule-" + incident.id;
  if (!open) {
    return html`<button type="button" class="open-schedule" onClick=${() => setOpen(true)}>
      Schedule a check-in</button>`;
  }
  async function schedule() {
    const r = await ctx.api("POST", "/api/incidents/" + enc(incident.id) + "/check-ins",
      { way: way, at: at, assignee: assignee || null });
    if (!r.ok) { setSaid(sentence(r)); return; }
    setList(r.data);  // the new line in the list says it; the form closes
  }
  return html`<div class="schedule">
    ${list.offered ? html`<p class="hint">After this safety check, a check-in tomorrow is
      suggested. Confirm the time or change it.</p>` : null}
    <fieldset><legend>How</legend>
      <label class="choice"><input type="radio" name=${base + "-way"} value="call"
        checked=${way === "call"} onChange=${() => setWay("call")} />A call from a clinician</label>
      <label class="choice"><input type="radio" name=${base + "-way"} value="text"
        checked=${way === "text"} onChange=${() => setWay("text")} />A text to the client</label>
    </fieldset>
    ${way === "text" ? html`<p class="hint">The text says: "${list.client_text ||
      "Your care team is checking in."}" A reply of 1 counts as okay; 2 asks for a call.</p>`
      : null}
    <label for=${base + "-at"}>When (${zoneWords(list.time_zone)})</label>
    <input id=${base + "-at"} type="datetime-local" value=${at}
      onInput=${(e) => setAt(e.currentTarget.value)} />
    <label for=${base + "-who"}>${way === "call" ? "Who calls" : "Who follows up"}</label>
    <select id=${base + "-who"} value=${assignee}
      onChange=${(e) => setAssignee(e.currentTarget.value)}>
      ${list.clinicians.map((c) => html`<option value=${c.id}>${c.name}</option>`)}</select>
    <button type="button" class="primary schedule-checkin" onClick=${schedule}>
      Schedule check-in</button>
    <p class="said" role="status">${said}</p>
  </div>`;
}

export function CheckIns({ incident, ctx }) {
  const [list, setList] = useState(null);
  const [said, setSaid] = useState("");
  const seen = JSON.stringify(incident.proactive || []) + incident.level;
  useEffect(() => {
    ctx.api("GET", "/api/incidents/" + enc(incident.id) + "/check-ins").then((r) =>
      (r.ok ? setList(r.data) : setSaid(sentence(r))));
  }, [incident.id, seen]);
  if (!list) return html`<p class="said">${said}</p>`;
  const title = "checkins-title-" + incident.id;
  return html`<section class="checkins" aria-labelledby=${title}>
    <h3 id=${title}>Check-ins after this session</h3>
    ${list.check_ins.length ? html`<ul class="followups checkin-list">
      ${list.check_ins.map((c) => html`<${Line} key=${c.id} c=${c} list=${list} incident=${incident}
        ctx=${ctx} setList=${setList} />`)}</ul>` : null}
    <${Schedule} key=${String(list.offered) + list.check_ins.map((c) => c.id + c.due_ms)}
      list=${list} incident=${incident} ctx=${ctx}
      setList=${setList} />
  </section>`;
}
