// The locale directory's rows: a country (its emergency numbers, written as text) and a
// state or region (its 911 center, mobile crisis team, emergency department, after-hours
// line and options other than the police). Every number can be tried: "Test call format"
// says how Tether would read and dial it, in the browser, without calling anyone.
import { html, useState } from "/static/vendor/preact-htm.js";
import { TextInput, fieldId, within } from "./fields.js";
import { callFormat, commaList, lines } from "./words.js";

let rowCount = 0;
const key = () => "place-" + (rowCount += 1);
const text = (v) => (v == null ? "" : String(v));
const orNull = (v) => (v.trim() ? v.trim() : null);

export function countryForm(c) {
  return { key: key(), country: text(c.country), emergency_numbers: (c.emergency_numbers || []).join(", "),
    crisis_line: text(c.crisis_line), crisis_text_line: text(c.crisis_text_line),
    notes: text(c.notes), source_url: text(c.source_url), verified_on: text(c.verified_on) };
}

export function countryBody(f) {
  return { country: f.country.trim().toUpperCase(), emergency_numbers: commaList(f.emergency_numbers),
    crisis_line: orNull(f.crisis_line), crisis_text_line: f.crisis_text_line.trim(),
    notes: f.notes.trim(), source_url: f.source_url.trim(), verified_on: orNull(f.verified_on) };
}

const SERVICES = {
  mobile_crisis: ["Mobile crisis team", [["name", "Name"], ["number", "Number", true], ["hours", "Hours", false, "Like 24/7"]]],
  nearest_ed: ["Nearest emergency department", [["name", "Name"], ["address", "Address"], ["phone", "Phone", true]]],
  after_hours_line: ["After-hours line", [["name", "Name"], ["number", "Number", true], ["hours", "Hours", false, "Like Mon-Fri 17:00-08:00"]]],
};

function serviceForm(s, parts) {
  return Object.fromEntries(parts.map(([k]) => [k, text(s && s[k])]));
}

function serviceBody(s) {
  const out = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.trim()]));
  return Object.values(out).some(Boolean) ? out : null;
}

export function regionForm(r) {
  const form = { key: key(), region: text(r.region), cities: (r.cities || []).join(", "),
    postal_codes: (r.postal_codes || []).join(", "), psap_name: text(r.psap_name),
    psap_number: text(r.psap_number), non_police_options: (r.non_police_options || []).join("\n"),
    notes: text(r.notes), verified_on: text(r.verified_on) };
  for (const [k, [, parts]] of Object.entries(SERVICES)) form[k] = serviceForm(r[k], parts);
  return form;
}

export function regionBody(f) {
  const body = { region: f.region.trim().toUpperCase(), cities: commaList(f.cities),
    postal_codes: commaList(f.postal_codes), psap_name: f.psap_name.trim(),
    psap_number: f.psap_number.trim(), non_police_options: lines(f.non_police_options),
    notes: f.notes.trim(), verified_on: orNull(f.verified_on) };
  for (const k of Object.keys(SERVICES)) body[k] = serviceBody(f[k]);
  return body;
}

// A number with its "Test call format" button and the answer beside it
function NumberInput({ id, label, value, onInput, error, hint, optional, many }) {
  const [shown, setShown] = useState("");
  const test = () => setShown(many
    ? (commaList(value).map(callFormat).join("; ") || callFormat(""))
    : callFormat(value));
  return html`<div class="number">
    <${TextInput} id=${id} label=${label} value=${value} error=${error} hint=${hint}
      optional=${optional} inputmode="tel" onInput=${(v) => { setShown(""); onInput(v); }} />
    <button type="button" class="test-call" id=${id + "-test"} aria-describedby=${id + "-format"}
      onClick=${test}>Test call format<span class="visually-hidden">: ${label}</span></button>
    <p class="format" id=${id + "-format"} role="status">${shown}</p>
  </div>`;
}

function Remove({ label, onRemove }) {
  return html`<p><button type="button" class="remove" onClick=${onRemove}>Remove ${label}</button></p>`;
}

export function CountryRow({ row, n, fields, change, remove }) {
  const p = (k) => "countries." + n + "." + k;
  const props = (k) => ({ id: fieldId("dir", p(k)), value: row[k], error: within(fields, p(k)),
    onInput: (v) => change({ [k]: v }) });
  const label = "Country " + (n + 1) + (row.country.trim() ? ": " + row.country.trim().toUpperCase() : "");
  return html`<fieldset class="row"><legend>${label}</legend>
    ${fields["countries." + n] ? html`<p class="field-error">${fields["countries." + n]}</p>` : null}
    <div class="grid">
      <${TextInput} ...${props("country")} label="Country code" hint="Two letters, like US, AU or GB" />
      <${NumberInput} ...${props("emergency_numbers")} label="Emergency numbers" many
        hint="As dialled there, separated by commas, like 911 or 000, 112" />
      <${NumberInput} ...${props("crisis_line")} label="Crisis line" optional hint="Like 988" />
      <${TextInput} ...${props("crisis_text_line")} label="Crisis text line" optional hint="Like text 988" />
      <${TextInput} ...${props("verified_on")} label="Checked on" type="date" optional />
      <${TextInput} ...${props("source_url")} label="Where this was checked (web address)" type="url" optional />
    </div>
    <${TextInput} ...${props("notes")} label="Notes" rows=${2} optional />
    <${Remove} label=${label} onRemove=${remove} />
  </fieldset>`;
}

function Service({ n, k, row, fields, change }) {
  const [title, parts] = SERVICES[k];
  const p = (part) => "regions." + n + "." + k + "." + part;
  const set = (part, v) => change({ [k]: { ...row[k], [part]: v } });
  return html`<fieldset class="service"><legend>${title} <span class="optional">(optional)</span></legend>
    ${fields["regions." + n + "." + k] ? html`<p class="field-error">${fields["regions." + n + "." + k]}</p>` : null}
    <div class="grid">${parts.map(([part, label, isNumber, hint]) => {
      const props = { key: part, id: fieldId("dir", p(part)), label, hint, value: row[k][part],
        error: fields[p(part)], onInput: (v) => set(part, v) };
      return isNumber ? html`<${NumberInput} ...${props} hint="Like +13125550142" />`
        : html`<${TextInput} ...${props} />`;
    })}</div>
  </fieldset>`;
}

export function RegionRow({ row, n, fields, change, remove }) {
  const p = (k) => "regions." + n + "." + k;
  const props = (k) => ({ id: fieldId("dir", p(k)), value: row[k], error: within(fields, p(k)),
    onInput: (v) => change({ [k]: v }) });
  const where = [row.region.trim().toUpperCase(), row.cities.trim() || row.postal_codes.trim()]
    .filter(Boolean).join(" — ");
  const label = "Region " + (n + 1) + (where ? ": " + where : "");
  return html`<fieldset class="row"><legend>${label}</legend>
    ${fields["regions." + n] ? html`<p class="field-error">${fields["regions." + n]}</p>` : null}
    <div class="grid">
      <${TextInput} ...${props("region")} label="State or region code" hint="Like US-IL" />
      <${TextInput} ...${props("cities")} label="Only these cities" optional
        hint="Separated by commas; empty: the whole region" />
      <${TextInput} ...${props("postal_codes")} label="Only these postal codes" optional
        hint="Separated by commas; 627* for a prefix" />
      <${TextInput} ...${props("psap_name")} label="911 center (PSAP) name" />
      <${NumberInput} ...${props("psap_number")} label="911 center's own line"
        hint="Its 10-digit administrative line, not 911, like +12175550100" />
      <${TextInput} ...${props("verified_on")} label="Checked on" type="date" optional />
    </div>
    ${Object.keys(SERVICES).map((k) => html`<${Service} key=${k} n=${n} k=${k} row=${row}
      fields=${fields} change=${change} />`)}
    <${TextInput} ...${props("non_police_options")} label="Options other than the police" rows=${3}
      optional hint="One a line" />
    <${TextInput} ...${props("notes")} label="Notes" rows=${2} optional />
    <${Remove} label=${label} onRemove=${remove} />
  </fieldset>`;
}
