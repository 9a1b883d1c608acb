// The clinical parts of a record, for the program's clinical lead only: the safety plan
// section by section, what responders must know, and the code words (masked until shown;
// every showing is recorded). An admin is told plainly who keeps them.
import { html, useState } from "/static/vendor/preact-htm.js";
import { call, pathOf } from "./doc.js";
import { Checkbox, TextInput, fieldId, within } from "./fields.js";
import { lines } from "./words.js";

const PLAN = [
  ["warning_signs", "Warning signs that a crisis may be coming"],
  ["coping_on_my_own", "Things I can do on my own to feel better"],
  ["people_and_places_that_help", "People and places that help (company, distraction)"],
  ["people_to_ask_for_help", "People I can ask for help"],
  ["professionals_and_crisis_lines", "Professionals and crisis lines"],
  ["making_home_safer", "Making home safer"],
  ["reasons_for_living", "Reasons for living"],
];
const NOTES = [
  ["guardian", "Guardian of a young client, and how to reach them"],
  ["household", "Who lives with them or may be there"],
  ["pets", "Pets, and who cares for them"],
  ["access_notes", "Getting in (gate code, which door)"],
  ["known_risks", "Known risks"],
  ["medical_notes", "Medical notes"],
];

export function planForm(record) {
  const plan = record.safety_plan || {};
  const notes = record.considerations || {};
  return {
    plan: { ...Object.fromEntries(PLAN.map(([k]) => [k, (plan[k] || []).join("\n")])),
      last_reviewed: plan.last_reviewed || "", review_every_days: String(plan.review_every_days ?? 90) },
    notes: { ...Object.fromEntries(NOTES.map(([k]) => [k, notes[k] || ""])),
      rural_travel_minutes: notes.rural_travel_minutes == null ? "" : String(notes.rural_travel_minutes),
      prefer_non_police: !!notes.prefer_non_police },
    code_words: record.id ? null : "",  // null: on file but not shown
    code_words_count: record.code_words_count ?? (record.code_words || []).length,
  };
}

const number = (text) => (/^\s*[0-9]+\s*$/.test(text) ? Number(text) : text.trim());

export function planBody(form) {
  const p = form.plan;
  const n = form.notes;
  const body = {
    safety_plan: { ...Object.fromEntries(PLAN.map(([k]) => [k, lines(p[k])])),
      last_reviewed: p.last_reviewed || null, review_every_days: number(p.review_every_days) },
    considerations: { ...Object.fromEntries(NOTES.map(([k]) => [k, n[k].trim()])),
      rural_travel_minutes: n.rural_travel_minutes.trim() ? number(n.rural_travel_minutes) : null,
      prefer_non_police: n.prefer_non_police },
  };
  if (form.code_words !== null) body.code_words = lines(form.code_words);
  return body;
}

function CodeWords({ form, set, fields, id, base }) {
  const [note, setNote] = useState("");
  async function reveal() {
    setNote("Showing…");
    const r = await call("POST", pathOf("/api/admin/clients", id, "code-words"));
    const words = r.ok ? r.data.code_words : (base && base.code_words);
    if (!words) { setNote("The code words could not be shown: " + r.text); return; }
    set({ code_words: words.join("\n") });
    setNote("Shown: this showing is recorded on the audit log.");
  }
  const count = form.code_words_count;
  return html`<fieldset id="client-code_words-box"><legend>Code words</legend>
    <p class="hint">Private words meaning “I am not safe / cannot talk freely”. A match alerts
      the clinicians' panels only.</p>
    ${form.code_words === null ? html`<p id="code-words-masked">${count === 1 ? "1 code word"
        : count + " code words"} on file.${" "}
        <button type="button" id="show-code-words" onClick=${reveal}>Show code words</button></p>
        <p class="hint">Showing them is recorded on the audit log.</p>`
      : html`<${TextInput} id="client-code_words" label="Code words" rows=${3} optional
        hint="One a line, 3 to 60 characters each, at most 5" value=${form.code_words}
        error=${within(fields, "code_words")} onInput=${(v) => set({ code_words: v })} />`}
    <p role="status" class="hint">${note}</p>
  </fieldset>`;
}

export function ClinicalSections({ form, set, fields, id, base }) {
  const plan = (patch) => set({ plan: { ...form.plan, ...patch } });
  const notes = (patch) => set({ notes: { ...form.notes, ...patch } });
  const sp = (k) => "safety_plan." + k;
  return html`<fieldset id="client-safety_plan" tabindex="-1"><legend>Safety plan</legend>
      <p class="hint">Each section one item a line, in the client's own words.</p>
      ${PLAN.map(([k, label]) => html`<${TextInput} key=${k} id=${fieldId("client", sp(k))}
        label=${label} rows=${3} optional value=${form.plan[k]} error=${within(fields, sp(k))}
        onInput=${(v) => plan({ [k]: v })} />`)}
      <div class="grid">
        <${TextInput} id="client-safety_plan-last_reviewed" label="Last reviewed" type="date"
          optional value=${form.plan.last_reviewed} error=${fields[sp("last_reviewed")]}
          onInput=${(v) => plan({ last_reviewed: v })} />
        <${TextInput} id="client-safety_plan-review_every_days" label="Review every (days)"
          inputmode="numeric" hint="7 to 365" value=${form.plan.review_every_days}
          error=${fields[sp("review_every_days")]} onInput=${(v) => plan({ review_every_days: v })} />
      </div>
    </fieldset>
    <fieldset id="client-considerations" tabindex="-1"><legend>What responders and the team must know</legend>
      ${NOTES.map(([k, label]) => html`<${TextInput} key=${k} id=${fieldId("client", "considerations." + k)}
        label=${label} rows=${2} optional value=${form.notes[k]} error=${fields["considerations." + k]}
        onInput=${(v) => notes({ [k]: v })} />`)}
      <${TextInput} id="client-considerations-rural_travel_minutes" inputmode="numeric" optional
        label="Minutes for responders to get there" hint="For a rural address; 0 to 600"
        value=${form.notes.rural_travel_minutes} error=${fields["considerations.rural_travel_minutes"]}
        onInput=${(v) => notes({ rural_travel_minutes: v })} />
      <${Checkbox} id="client-considerations-prefer_non_police" checked=${form.notes.prefer_non_police}
        label="Ask for the mobile crisis team before the police, where there is one"
        onChange=${(v) => notes({ prefer_non_police: v })} />
    </fieldset>
    <${CodeWords} form=${form} set=${set} fields=${fields} id=${id} base=${base} />`;
}

export function ClinicalNote({ base }) {
  const review = base && base.safety_plan_review;
  return html`<section class="note" aria-labelledby="clinical-note-title">
    <h3 id="clinical-note-title">Safety plan, considerations and code words</h3>
    <p>The program's clinical lead keeps these: only they see and change them. Your saves
      leave them as they are.</p>
    ${review ? html`<p>Safety plan ${review.last_reviewed ? "last reviewed " + review.last_reviewed
      + (review.review_due ? ", next review due " + review.review_due : "")
      : "not reviewed yet"}.</p>` : null}
  </section>`;
}
