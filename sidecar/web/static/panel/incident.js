// One client's incident as a Preact component: the safety check (C-SSRS screener, since
// last contact), its result and task list, the emergency view (the caller's card first,
// then the group script and the one task list), contacts within consent, the warm handoff,
// closing with documentation, and the follow-ups. State comes from the server only, so a
// reload shows the same screen. Text goes in as text; nothing here builds HTML.
//
//   IncidentView({ id, ctx, version })  version: change it when a timeline entry about
//                                        this incident arrives, and the view reloads
//   startEmergency(ctx, { meeting, client, reason, trigger? }) -> Promise<incident id>
//
// ctx = { api(method, path, body) -> Promise<{ok, status, data}>, me: {staff, name, roles},
//         meeting, clientName(id), staffName(id), onClosed() }
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { phone, telHref } from "./words.js";
import { CheckIns } from "./proactive.js";
import { PlanSend } from "/static/plan-send.js";

const enc = encodeURIComponent;
const LEVEL_WORDS = { none: "No risk found", low: "Low risk", moderate: "Moderate risk",
  high: "High risk", emergency: "Emergency" };
const IMMINENCE = [["plan", "Has a plan"], ["means", "Has access to means"],
  ["intent", "Intends to act"], ["timeframe", "Means to act soon (today)"],
  ["attempt_in_progress", "Attempt in progress"]];

// ---- small helpers -------------------------------------------------------------------
function sentence(r) {
  const d = r.data || {};
  if (typeof d === "string") return d;
  if (d.errors) return [].concat(d.errors).join(" ");
  return d.error || d.reason || ("Tether could not do that (HTTP " + r.status + ").");
}

function when(ms) {
  const d = new Date(ms);
  const time = d.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit" });
  if (d.toDateString() === new Date().toDateString()) return time;
  return d.toLocaleDateString("en-US", { weekday: "short" }) + " " + d.getDate() + " " +
    d.toLocaleDateString("en-US", { month: "short" }) + ", " + time;
}

function first(name) { return String(name || "").split(" ")[0]; }

async function must(ctx, method, path, body) {
  const r = await ctx.api(method, path, body);
  if (!r.ok) throw new Error(sentence(r));
  return r.data;
}

// A button that runs async work once at a time and shows its error as a sentence.
function Act({ label, cls, work, said, describedBy, name }) {
  const [busy, setBusy] = useState(false);
  async function run() {
    setBusy(true);
    try { await work(); } catch (err) { said(err.message); } finally { setBusy(false); }
  }
  return html`<button type="button" class=${cls || ""} disabled=${busy} aria-label=${name}
    aria-describedby=${describedBy} onClick=${run}>${label}</button>`;
}

function Said({ text, id }) {
  return html`<p class="said" id=${id} role="status">${text}</p>`;
}

// ---- starting the emergency protocol -------------------------------------------------
export async function startEmergency(ctx, { meeting, client, reason, trigger }) {
  const opened = await must(ctx, "POST", "/api/meetings/" + enc(meeting) + "/clients/" +
    enc(client) + "/incidents", { trigger: trigger || "clinician" });
  await must(ctx, "POST", "/api/incidents/" + enc(opened.id) + "/emergency",
    { reason: reason || "" });
  return opened.id;
}

function StartEmergency({ incident, ctx, reason, update, label }) {
  const [said, setSaid] = useState("");
  return html`<div class="start-emergency">
    <${Act} label=${label || "Start emergency protocol"} cls="danger" said=${setSaid}
      work=${async () => update(await must(ctx, "POST", "/api/incidents/" +
        enc(incident.id) + "/emergency", { reason: reason || "" }))} />
    <${Said} text=${said} /></div>`;
}

// Without a screen (a client who dropped and cannot be screened) the protocol needs a reason.
function Unscreened({ incident, ctx, update }) {
  const [reason, setReason] = useState("");
  const [said, setSaid] = useState("");
  const rid = "unscreened-reason-" + incident.id;
  return html`<details class="unscreened">
    <summary>Cannot screen ${ctx.clientName(incident.client)}? Start the emergency protocol</summary>
    <label for=${rid}>Why there is no safety check</label>
    <input id=${rid} value=${reason} onInput=${(e) => setReason(e.currentTarget.value)}
      placeholder="for example: dropped from the call, not answering" />
    <${Act} label="Start emergency protocol" cls="danger" said=${setSaid}
      work=${async () => update(await must(ctx, "POST", "/api/incidents/" +
        enc(incident.id) + "/emergency", { reason }))} />
    <${Said} text=${said} /></details>`;
}

// ---- the safety check ----------------------------------------------------------------
function YesNo({ item, value, choose }) {
  const name = "item" + item.number;
  return html`<span class="yes-no">${[["yes", true, "Yes"], ["no", false, "No"]].map(
    ([v, b, label]) => html`<label class="choice"><input type="radio" name=${name} value=${v}
      checked=${value === b} onChange=${() => choose(item.number, b)} /> ${label}</label>`)}
  </span>`;
}

function Item({ item, value, choose }) {
  const heading = item.definition ? item.number + ". " + item.definition : "Item " + item.number;
  return html`<fieldset class="item" data-item=${item.number}>
    <legend><span class="heading">${heading}</span>
      <span class="question">${item.text}</span></legend>
    ${item.examples ? html`<p class="examples">${item.examples}</p>` : null}
    <${YesNo} item=${item} value=${value} choose=${choose} />
  </fieldset>`;
}

function Screener({ incident, ctx, instrument, update }) {
  const [answers, setAnswers] = useState({});
  const [flags, setFlags] = useState({});
  const [said, setSaid] = useState("");
  const shown = instrument.items.filter((i) => !instrument.if_item_2_yes.includes(i.number) ||
    answers[2] === true);
  function choose(n, yes) {
    const next = { ...answers, [n]: yes };
    if (n === 2 && !yes) for (const k of instrument.if_item_2_yes) delete next[k];
    setAnswers(next);
  }
  async function score() {
    const missing = shown.filter((i) => answers[i.number] === undefined).map((i) => i.number);
    if (missing.length) {
      setSaid("Answer item " + missing.join(", ") + " (Yes or No) before scoring.");
      return;
    }
    update(await must(ctx, "POST", "/api/incidents/" + enc(incident.id) + "/screens",
      { answers, imminence: flags }));
  }
  const sid = "screen-said-" + incident.id;
  return html`<form class="screener" onSubmit=${(e) => e.preventDefault()}>
    <h3>C-SSRS ${instrument.version}</h3>
    ${shown.map((item) => html`<${Item} key=${item.number} item=${item}
      value=${answers[item.number]} choose=${choose} />`)}
    <fieldset class="imminence">
      <legend>Your judgement of imminence (turns a high screen into an emergency)</legend>
      ${IMMINENCE.map(([key, label]) => html`<label class="choice"><input type="checkbox"
        name=${key} checked=${!!flags[key]}
        onChange=${(e) => setFlags({ ...flags, [key]: e.currentTarget.checked })} /> ${label}
      </label>`)}
    </fieldset>
    ${flags.attempt_in_progress ? html`<div class="warning" role="alert">
      <p>An attempt in progress is an emergency whatever the answers say.</p>
      <${StartEmergency} incident=${incident} ctx=${ctx} update=${update}
        reason=${"Attempt in progress, judged during the safety check"} /></div>` : null}
    <p class="copyright">${instrument.copyright}</p>
    <${Act} label="Score the safety check" cls="primary score" work=${score} said=${setSaid}
      describedBy=${sid} />
    <${Said} text=${said} id=${sid} />
  </form>`;
}

// ---- the result of a screen ----------------------------------------------------------
function contradiction(screen) {
  const j = screen.imminence || {};
  if (screen.tier === "high") return "";
  if (j.attempt_in_progress) return "an attempt in progress";
  if (j.intent && j.plan && j.means) return "intent, a plan and access to means";
  return "";
}

function Result({ incident, ctx, update, rescreen }) {
  const last = incident.screens[incident.screens.length - 1];
  const judged = contradiction(last);
  const name = ctx.clientName(incident.client);
  return html`<section class="result" aria-label="Result of the safety check">
    <p class=${"level " + incident.level}>${LEVEL_WORDS[incident.level] || incident.level}
      <span class="hint"> (scored ${when(last.at_ms)} by ${ctx.staffName(last.by)})</span></p>
    ${judged ? html`<div class="warning" role="alert"><p>${"You judged " + judged +
      ", but the answers score " + last.tier + ". The level stays " + last.tier + "; if " +
      first(name) + " is in danger now, start the emergency protocol."}</p>
      <${StartEmergency} incident=${incident} ctx=${ctx} update=${update}
        reason=${"Judged " + judged + " while the screen scored " + last.tier} /></div>`
    : (incident.level === "high" || incident.level === "emergency") ? html`
      <${StartEmergency} incident=${incident} ctx=${ctx} update=${update} />` : null}
    <${Tasks} incident=${incident} ctx=${ctx} update=${update} />
    <button type="button" class="rescreen" onClick=${rescreen}>Screen again</button>
  </section>`;
}

// ---- the one task list ---------------------------------------------------------------
function Task({ row, incident, ctx, update, said }) {
  if (row.kind === "checkin") {  // its outcome is recorded under Check-ins
    return html`<li class="late checkin-due" data-key=${row.key}>
      <span class="title">${"Check-in due: " + ctx.staffName(row.assignee) + ", call " +
        ctx.clientName(incident.client) + " now"}</span>
      <span class="due">${"due " + when(row.due_ms)}; record how it went under Check-ins</span>
    </li>`;
  }
  const path = "/api/incidents/" + enc(incident.id) + "/" +
    (row.kind === "step" ? "steps/" : "checklist/") + enc(row.key);
  const late = !row.done && row.due_ms < Date.now();
  return html`<li class=${row.done ? "done" : (late ? "late" : "")} data-key=${row.key}>
    <span class="title">${row.title}</span>
    <span class="due">${row.done ? "Done " + when(row.done.at_ms) + " by " +
      ctx.staffName(row.done.by) : "due " + when(row.due_ms)}</span>
    ${row.done || incident.closed_ms ? null : html`<${Act} label="Done" cls="tick"
      name=${"Done: " + row.title} said=${said} work=${async () => update(await must(ctx, "POST", path, {}))} />`}
  </li>`;
}

function Tasks({ incident, ctx, update }) {
  const [said, setSaid] = useState("");
  const rows = incident.to_do || [];
  if (!rows.length) return null;
  return html`<div class="tasks"><h3>Tasks</h3><ul class="todo">${rows.map((row) => html`
    <${Task} key=${row.key} row=${row} incident=${incident} ctx=${ctx} update=${update}
      said=${setSaid} />`)}</ul><${Said} text=${said} /></div>`;
}

// ---- the emergency view --------------------------------------------------------------
function roleLine(incident, ctx) {
  const me = ctx.me.staff;
  const lead = incident.roles.keeps_client_visible;
  const caller = incident.roles.calls_responders;
  const name = first(ctx.clientName(incident.client));
  if (me === caller) return ["caller", "You call responders: the card below says whom, " +
    "where and the number to call back."];
  if (me === lead) return ["lead", "You keep " + name + " on screen and talking. Do not " +
    "end the call."];
  return ["other", ctx.staffName(lead) + " keeps " + name + " on screen; " +
    ctx.staffName(caller) + " calls responders."];
}

// numbers in a sentence as people read them: "+12175550142" -> "(217) 555-0142"
function readable(text) {
  return String(text || "").replace(/\+1(\d{3})(\d{3})(\d{4})\b/g, "($1) $2-$3");
}

function Fact({ label, value }) {
  if (!value) return null;
  return html`<dt>${label}</dt><dd>${readable(value)}</dd>`;  // numbers as people read them
}

function Card({ card }) {
  const r = card.responders;
  return html`<section class="card" aria-label="Dispatch card">
    <h3>Call responders</h3>
    <p class="whom">${readable(card.whom_to_call)}</p>
    <dl class="where">
      <${Fact} label="Address" value=${card.address || "none on file: ask where they are"} />
      <${Fact} label="Room" value=${card.room} />
      <${Fact} label="Address from" value=${card.location_source} />
      ${card.callback_phone ? html`<dt>Callback number</dt><dd><a href=${telHref(card.callback_phone)}>
        ${phone(card.callback_phone)}</a></dd>` : null}
      <${Fact} label="With them" value=${card.who_is_present} />
      <${Fact} label="Their note" value=${card.client_note} />
    </dl>
    <details class="more"><summary>More for responders</summary><dl>
      <${Fact} label="Known risks" value=${card.known_risks} />
      <${Fact} label="Medical" value=${card.medical_notes} />
      <${Fact} label="Access" value=${card.access_notes} />
      <${Fact} label="Pets" value=${card.pets} />
      <${Fact} label="Household" value=${card.household} />
      <${Fact} label="Guardian" value=${card.guardian} />
      <${Fact} label="Travel time" value=${card.rural_travel_minutes ?
        card.rural_travel_minutes + " min" : ""} />
      <${Fact} label="Non-police first" value=${card.prefer_non_police ?
        "yes: ask for the mobile crisis team" : ""} />
      <${Fact} label="Mobile crisis" value=${r.mobile_crisis} />
      <${Fact} label="Crisis line" value=${r.crisis_line} />
      <${Fact} label="Nearest ED" value=${r.nearest_ed} />
      <${Fact} label="Non-police options" value=${r.non_police_options.join("; ")} />
      <${Fact} label="Directory" value=${r.note} />
      <${Fact} label="After-hours line" value=${r.after_hours_line} />
      <${Fact} label="On call now" value=${card.on_call.map((s) => s.name + " " + s.phone)
        .join("; ")} />
    </dl></details>
  </section>`;
}

const BASES = [["hipaa_164_512_j", "Serious and imminent threat (HIPAA)"],
  ["duty_to_protect", "The duty to protect"],
  ["hipaa_164_510_b", "Involved in their care (HIPAA)"],
  ["other", "Another reason"]];

function Override({ incident, ctx, person, done }) {
  const [basis, setBasis] = useState(BASES[0][0]);
  const [reason, setReason] = useState("");
  const [said, setSaid] = useState("");
  const base = "override-" + incident.id + "-" + person.name.replace(/\W+/g, "-");
  async function send() {
    const r = await ctx.api("POST", "/api/incidents/" + enc(incident.id) + "/contacts", {
      contact: person.name, purpose: "notify_crisis", override_basis: basis,
      override_reason: reason });
    if (!r.ok) throw new Error(sentence(r));
    done("Recorded. Call " + first(person.name) + " on " + r.data.phone + ".");
  }
  return html`<div class="override">
    <label for=${base + "-basis"}>Why contact ${first(person.name)} anyway</label>
    <select id=${base + "-basis"} value=${basis} onChange=${(e) => setBasis(e.currentTarget.value)}>
      ${BASES.map(([v, label]) => html`<option value=${v}>${label}</option>`)}</select>
    <label for=${base + "-reason"}>Say why, in a sentence</label>
    <textarea id=${base + "-reason"} rows="2" value=${reason}
      onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
    <${Act} label=${"Contact " + first(person.name) + " anyway"} cls="danger" work=${send}
      said=${setSaid} />
    <${Said} text=${said} /></div>`;
}

function Contact({ incident, ctx, person }) {
  const [said, setSaid] = useState("");
  const [refused, setRefused] = useState(false);
  const them = first(person.name);
  const client = first(ctx.clientName(incident.client));
  async function tell() {
    const r = await ctx.api("POST", "/api/incidents/" + enc(incident.id) + "/contacts",
      { contact: person.name, purpose: "notify_crisis" });
    setRefused(r.status === 403);
    setSaid(r.ok ? r.data.reason + " Call " + them + " on " + r.data.phone + "." : sentence(r));
  }
  const agreed = person.agreed && person.agreed.length ?
    client + " agreed that " + them + " " + person.agreed.join(", ") + "." :
    client + " has not agreed to anything for " + them + ".";
  return html`<li class="contact">
    <strong>${person.name}</strong> (${person.relation || "contact"})${
      person.speaks_to_responders ? ", speaks to responders" : ""}
    <p class="agreed">${agreed}</p>
    <${Act} label=${"Tell " + them + " about the crisis"} cls="notify" work=${tell}
      said=${setSaid} />
    <${Said} text=${said} />
    ${refused ? html`<${Override} incident=${incident} ctx=${ctx} person=${person}
      done=${(text) => { setRefused(false); setSaid(text); }} />` : null}
  </li>`;
}

function Handoff({ incident, ctx, update }) {
  const [facility, setFacility] = useState("");
  const [said, setSaid] = useState("");
  const fid = "facility-" + incident.id;
  async function write() {
    const r = await must(ctx, "POST", "/api/incidents/" + enc(incident.id) + "/handoff",
      { facility });
    update(r.incident);
  }
  return html`<section class="handoff" aria-label="Warm handoff"><h3>Warm handoff</h3>
    <label for=${fid}>Receiving facility or team</label>
    <input id=${fid} value=${facility} onInput=${(e) => setFacility(e.currentTarget.value)} />
    <${Act} label="Write the handoff summary" work=${write} said=${setSaid} />
    <${Said} text=${said} />
    ${incident.handoff ? html`<pre class="summary">${incident.handoff.summary}</pre>` : null}
  </section>`;
}

function Emergency({ incident, ctx, update }) {
  const [card, setCard] = useState(null);
  const [said, setSaid] = useState("");
  useEffect(() => {
    must(ctx, "GET", "/api/incidents/" + enc(incident.id) + "/card").then(setCard,
      (err) => setSaid(err.message));
  }, [incident.id]);
  const [role, line] = roleLine(incident, ctx);
  const done = (incident.to_do || []).filter((r) => r.done).length;
  return html`<section class="emergency" aria-label="Emergency protocol">
    <p class=${"role " + role} role="alert">${line}</p>
    ${incident.emergency_reason ? html`<p class="reason">${"Started " +
      (incident.screens.length ? "" : "without a safety check ") + "because: " +
      incident.emergency_reason}</p>` : null}
    ${card ? html`<${Card} card=${card} />` : html`<${Said} text=${said ||
      "Loading the dispatch card…"} />`}
    ${card ? html`<details class="script"><summary>Script for the group</summary><p>${card.group_script}</p></details>` : null}
    <details class="steps"><summary>${"Tasks: " + done + " of " +
      (incident.to_do || []).length + " done"}</summary><${Tasks} incident=${incident} ctx=${ctx} update=${update} /></details>
    ${card && card.contacts.length ? html`<section class="contacts" aria-label="Contacts">
      <h3>Contacts</h3><ul>${card.contacts.map((p) => html`<${Contact} key=${p.name}
        incident=${incident} ctx=${ctx} person=${p} />`)}</ul></section>` : null}
    <${Handoff} incident=${incident} ctx=${ctx} update=${update} />
  </section>`;
}

// ---- closing and the follow-ups ------------------------------------------------------
const DOCS = [["risk_assessment", "Risk assessment"], ["interventions", "Interventions"],
  ["outcome", "Outcome"]];

function Close({ incident, ctx, update }) {
  const [doc, setDoc] = useState({});
  const [said, setSaid] = useState("");
  async function close() {
    update(await must(ctx, "POST", "/api/incidents/" + enc(incident.id) + "/close",
      { documentation: { risk_assessment: doc.risk_assessment || "",
        interventions: doc.interventions || "", outcome: doc.outcome || "" } }));
    if (ctx.onClosed) ctx.onClosed();
  }
  return html`<section class="close" aria-label="Close the incident">
    <h3>Close with documentation</h3>
    ${DOCS.map(([key, label]) => html`<label for=${key + "-" + incident.id}>${label}</label>
      <textarea id=${key + "-" + incident.id} name=${key} rows="2" value=${doc[key] || ""}
        onInput=${(e) => setDoc({ ...doc, [key]: e.currentTarget.value })}></textarea>`)}
    <${Act} label="Close the incident" cls="close-incident" work=${close} said=${setSaid} />
    <${Said} text=${said} />
  </section>`;
}

function Closed({ incident, ctx, update }) {
  const [said, setSaid] = useState("");
  const by = (incident.log.find((e) => e.what === "closed") || {}).by;
  return html`<section class="closed" aria-label="Closed">
    <p class="closed-at">Closed ${when(incident.closed_ms)}${by ? " by " +
      ctx.staffName(by) : ""}.</p>
    <h3>Follow-ups</h3>
    <ul class="followups">${incident.tasks.map((t) => html`<li key=${t.task.kind}
      class=${t.done ? "done" : (t.overdue_alerted_ms ? "late" : "")}>
      <span class="title">${t.task.title}</span>
      <span class="due">${t.done ? "Done " + when(t.done.at_ms) + " by " +
        ctx.staffName(t.done.by) : "due " + when(t.task.due_ms)}</span>
      ${t.done ? null : html`<${Act} label="Done" cls="tick" said=${setSaid}
        name=${"Done: " + t.task.title}
        work=${async () => update(await must(ctx, "POST", "/api/incidents/" +
          enc(incident.id) + "/tasks/" + enc(t.task.kind), {}))} />`}</li>`)}</ul>
    <${Said} text=${said} />
  </section>`;
}

// ---- the whole incident --------------------------------------------------------------
function stateOf(i) {
  if (i.closed_ms) return "closed";
  if (i.emergency_ms) return "emergency";
  return i.screens.length ? "screened" : "screener";
}

const TITLES = { closed: "Closed", emergency: "EMERGENCY", screened: "Safety check",
  screener: "Safety check" };

export function IncidentView({ id, ctx, version }) {
  const [incident, setIncident] = useState(null);
  const [instrument, setInstrument] = useState(null);
  const [rescreen, setRescreen] = useState(false);
  const [said, setSaid] = useState("");
  useEffect(() => {
    must(ctx, "GET", "/api/incidents/" + enc(id)).then(setIncident, (e) => setSaid(e.message));
  }, [id, version]);
  useEffect(() => {
    must(ctx, "GET", "/api/cssrs").then(setInstrument, (e) => setSaid(e.message));
  }, []);
  if (!incident) return html`<div class="incident-view"><${Said} text=${said ||
    "Loading the incident…"} /></div>`;
  const state = stateOf(incident);
  const update = (next) => { setRescreen(false); setIncident(next); };
  const screening = state === "screener" || (state === "screened" && rescreen);
  const common = { incident, ctx, update };
  return html`<article class=${"incident-view " + state} data-state=${state}
      aria-label=${"Incident for " + ctx.clientName(incident.client)}>
    <h2>${TITLES[state]}: ${ctx.clientName(incident.client)}</h2>
    ${ctx.calm && state !== "closed" ? html`<p class="calm-open"><button type="button" class="calm"
      onClick=${() => ctx.calm(incident.client)}>Calm & ground</button></p>` : null}
    ${state === "screened" && !rescreen ? html`<${Result} ...${common}
      rescreen=${() => setRescreen(true)} />` : null}
    ${screening && instrument ? html`<${Screener} ...${common} instrument=${instrument} />`
      : null}
    ${state === "screener" ? html`<${Unscreened} ...${common} />` : null}
    ${state === "emergency" ? html`<${Emergency} ...${common} />` : null}
    ${state === "emergency" || state === "screened" ? html`<${Close} ...${common} />` : null}
    ${state === "closed" ? html`<${Closed} ...${common} />` : null}
    <${CheckIns} ...${common} />
    <details class="send-plan-box"><summary>Send safety plan</summary>
      <${PlanSend} client=${incident.client} name=${ctx.clientName(incident.client) || "this client"}
        base="/api/clients" call=${ctx.api} id=${"plan-send-" + incident.id} /></details>
    <a class="report" href=${"/incidents/" + enc(incident.id) + "/report"}
      target="_blank" rel="noopener">Printable report</a>
    <${Said} text=${said} />
  </article>`;
}
