// Import people from a CSV file (clients or staff): a look at the file first, then one
// upload that stores every row or none, with each refused row named.
import { html, useState } from "/static/vendor/preact-htm.js";
import { call } from "./doc.js";

const KINDS = {
  clients: { label: "Clients", columns: [["id, name, callback_phone", "required"],
    ["sms_consent", "yes or empty"],
    ["street, unit, city, region, postal_code, country, room", "the address on file: all or none"],
    ["zoom_display_names, zoom_emails", "several separated by ;"],
    ["contact1_name, contact1_relation, contact1_phone, contact1_consent",
      "consent in words, like “may be told about a crisis”, several separated by ;"],
    ["contact2_…", "a second contact, the same way"]] },
  staff: { label: "Staff", columns: [["id, name, phone, roles", "required; roles like lead; on call"],
    ["email", "the address they sign in with"], ["zoom_emails, zoom_user_ids", "several separated by ;"],
    ["active", "no for someone who has left; empty means yes"]] },
};

function Columns({ kind }) {
  return html`<div id="import-kind-hint"><p class="hint">Row 1 names the columns, in any
      order. Phone numbers may be written as people write them, like (312) 555-0142.</p>
    <ul class="columns hint">${KINDS[kind].columns.map(([names, what]) => html`<li key=${names}>
      <code>${names}</code>: ${what}</li>`)}</ul></div>`;
}

// A CSV's header and how many rows follow it (quoted fields may hold commas and new lines)
export function preview(text) {
  const rows = [];
  let row = [""];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { row[row.length - 1] += c; i += 1; }
      else if (c === '"') quoted = false;
      else row[row.length - 1] += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push("");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      rows.push(row);
      row = [""];
    } else row[row.length - 1] += c;
  }
  rows.push(row);
  const filled = rows.filter((r) => r.some((cell) => cell.trim()));
  return { columns: (filled[0] || []).map((c) => c.trim()), count: Math.max(filled.length - 1, 0) };
}

function Result({ result }) {
  if (!result) return null;
  if (result.ok) {
    const d = result.data || {};
    return html`<div class="done" id="import-done" role="status"><p><strong>Imported ${d.imported} ${d.imported === 1
      ? "row" : "rows"}</strong>${d.created !== undefined ? ": " + d.created + " new, " + d.updated
      + " updated" : ""}.</p></div>`;
  }
  return html`<div class="error-summary" role="alert" tabindex="-1">
    <h3>Nothing was stored</h3>
    <p>${result.errors.length === 1 ? "One problem" : result.errors.length + " problems"} in
      the file; fix ${result.errors.length === 1 ? "it" : "them"} and upload the file again.</p>
    <ul id="import-errors">${result.errors.map((e, i) => html`<li key=${i}>${e}</li>`)}</ul>
  </div>`;
}

export function ImportSection() {
  const [kind, setKind] = useState("clients");
  const [file, setFile] = useState(null);  // { name, text, columns, count }
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);

  async function choose(e) {
    setResult(null);
    const picked = e.target.files && e.target.files[0];
    if (!picked) { setFile(null); return; }
    const text = await picked.text();
    setFile({ name: picked.name, text, ...preview(text) });
  }
  async function upload() {
    setBusy(true);
    setResult(null);
    const r = await call("POST", "/api/admin/import/" + kind, file.text, { "Content-Type": "text/csv" });
    setBusy(false);
    if (r.ok) { setResult({ ok: true, data: r.data }); return; }
    const errors = r.data && Array.isArray(r.data.errors) ? r.data.errors
      : [r.status === 0 ? r.text : "Tether answered " + r.status + ": " + (r.text || "please try again")];
    setResult({ ok: false, errors });
  }

  return html`<h2>Import people</h2>
    <p class="hint">A CSV file with a header row. Every row is checked first: either all are
      stored, or none and each problem is named by its row.</p>
    <fieldset class="choice"><legend>What the file holds</legend>
      ${Object.entries(KINDS).map(([k, v]) => html`<div class="check" key=${k}>
        <input type="radio" name="import-kind" id=${"import-" + k} value=${k} checked=${kind === k}
          onChange=${() => { setKind(k); setResult(null); }} />
        <label for=${"import-" + k}>${v.label}</label></div>`)}
      <${Columns} kind=${kind} />
    </fieldset>
    <div class="field">
      <label for="import-file">CSV file of ${KINDS[kind].label.toLowerCase()}</label>
      <input type="file" id="import-file" accept=".csv,text/csv" onChange=${choose}
        aria-describedby="import-kind-hint" />
    </div>
    ${file ? html`<div class="preview" id="import-preview">
      <p><strong>${file.name}</strong>: ${file.count === 1 ? "1 row" : file.count + " rows"} after the header.</p>
      <p class="hint">Columns: ${file.columns.join(", ") || "none found"}</p>
      <p><button type="button" class="primary" id="import-upload" disabled=${busy || !file.count}
        onClick=${upload}>${busy ? "Importing…" : "Import " + file.count + " " +
          KINDS[kind].label.toLowerCase()}</button></p></div>` : null}
    <${Result} result=${result} />`;
}
