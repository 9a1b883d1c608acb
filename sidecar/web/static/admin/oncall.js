// The on-call week: one row a shift (who, which days, from when to when, in the program's
// wall-clock time), and who is on call right now by the saved schedule, read again every
// 30 seconds and after each save.
import { html } from "/static/vendor/preact-htm.js";
import { DAYS, DayBoxes, NotYet, TimeInput, clockWords, focusSoon, problemAt, useAnswer, useConfigBody, useConfigForm,
  useSavedElsewhere } from "./configform.js";
import { Conflict, ErrorSummary, SaveBar, Select, fieldId } from "./fields.js";

const NEW_SHIFT = { staff: "", days: [], start: "17:00", end: "09:00" };

// "22:00" to "06:00": ends the next morning (the shift belongs to the day it starts)
export function overnight(start, end) {
  return Boolean(start && end && end !== "24:00" && end <= start);
}

function dayName(isoDate) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return DAYS[(new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7][2];
}

// "2027-01-15T02:00-06:00" -> "Friday 2:00 AM"
function localWords(local) {
  const [date, rest] = String(local || "").split("T");
  return date && rest ? dayName(date) + " " + clockWords(rest.slice(0, 5)) : "";
}

function OnCallNow({ answer }) {
  const d = answer.data;
  if (!d) return html`<p class="now" id="oncall-now">${answer.error || "Finding who is on call now…"}</p>`;
  const names = d.on_call_now.map((s) => s.name).join(", ") || "nobody";
  return html`<div class="now" id="oncall-now" role="status">
    <p><strong>On call now: ${names}</strong></p>
    <p class="hint">${d.source === "schedule" ? "By the schedule below" :
      "No shift covers this moment, so everyone with the on-call role"}; it is
      ${" " + localWords(d.local_time)} program time (${d.time_zone}).</p>
    ${answer.error ? html`<p class="error-line">Could not refresh: ${answer.error}</p>` : null}
  </div>`;
}

function Shift({ shift, i, form, staff }) {
  const at = (f) => fieldId("on_call", i + "." + f);
  const err = (f) => problemAt(form.fields, i + "." + f);
  const set = (patch) => form.setDraft((ss) => ss.map((s, j) => (j === i ? { ...s, ...patch } : s)));
  const who = (staff || []).find((s) => s.id === shift.staff);
  const options = [{ value: "", label: "Choose a person" }, ...[...(staff || [])]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => ({ value: s.id, label: s.name + (s.active === false ? " (not active)" : "") }))];
  return html`<li class="shift"><fieldset class="row">
    <legend>Shift ${i + 1}${who ? ": " + who.name : ""}</legend>
    <div class="shift-row">
      <${Select} id=${at("staff")} label="Person" value=${shift.staff} error=${err("staff")}
        options=${options} onChange=${(v) => set({ staff: v })} />
      <${DayBoxes} id=${at("days")} legend="Days it starts on" days=${shift.days}
        error=${err("days")} onChange=${(days) => set({ days })} />
      <${TimeInput} id=${at("start")} label="Starts" value=${shift.start} error=${err("start")}
        onChange=${(start) => set({ start })} />
      <${TimeInput} id=${at("end")} label="Ends" value=${shift.end} error=${err("end")}
        onChange=${(end) => set({ end })} />
      <p class="overnight" id=${at("note")}>${overnight(shift.start, shift.end)
        ? "Overnight, ends next morning at " + clockWords(shift.end) : "Ends the same day"}</p>
      <button type="button" class="remove" onClick=${() =>
        form.setDraft((ss) => ss.filter((_, j) => j !== i))}>Remove shift ${i + 1}</button>
    </div>
  </fieldset></li>`;
}

function check(shifts) {
  const found = {};
  shifts.forEach((s, i) => {
    if (!s.staff) found[i + ".staff"] = "choose who is on call";
    if (!s.days.length) found[i + ".days"] = "tick at least one day";
  });
  return found;
}

export function OnCallSection() {
  const form = useConfigForm("on_call", { check });
  const staff = useConfigBody("staff");
  const now = useAnswer("/api/admin/oncall", 30000);
  useSavedElsewhere(["on_call", "staff", "program"], now.reload);
  if (form.draft === null) {
    return html`<${NotYet} title="On-call schedule" id="oncall-title" doc=${form.doc} />`;
  }
  return html`<h2 id="oncall-title">On-call schedule</h2>
    <${OnCallNow} answer=${now} />
    <p class="hint">Who answers when a group's clinicians cannot: each shift in the program's
      wall-clock time. A shift that ends before it starts runs overnight and belongs to the
      day it starts on. When no shift covers a moment, everyone with the on-call role is on call.</p>
    <${ErrorSummary} errors=${form.errors} fields=${form.fields} prefix="on_call"
      focusKey=${form.tries} />
    ${form.conflict ? html`<${Conflict} message=${form.conflict.error} mine=${form.mine()}
      theirs=${form.conflict.body} onUseTheirs=${form.useTheirs} onKeepMine=${form.keepMine} />`
      : null}
    ${form.draft.length ? null : html`<p>No shifts yet.</p>`}
    <ol class="shifts" aria-labelledby="oncall-title">
      ${form.draft.map((s, i) => html`<${Shift} key=${i} shift=${s} i=${i} form=${form}
        staff=${staff} />`)}
    </ol>
    <p><button type="button" onClick=${() => { form.setDraft((ss) => [...ss, { ...NEW_SHIFT, days: [] }]);
      focusSoon(fieldId("on_call", form.draft.length + ".staff")); }}>
      Add a shift</button></p>
    <${SaveBar} saving=${form.saving} status=${form.status} onSave=${form.save}
      onDiscard=${form.discard} saveLabel="Save the schedule" />
    <p class="hint">${form.savedBy()}</p>`;
}
