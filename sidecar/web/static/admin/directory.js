// The locale directory as rows: countries and their emergency numbers, states or regions
// and whom to call there. Saved over the version it was read at (If-Match).
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { call, saveDoc } from "./doc.js";
import { takeDraft, useKeepDraft } from "./drafts.js";
import { Conflict, ErrorSummary, SaveBar } from "./fields.js";
import { CountryRow, RegionRow, countryBody, countryForm, regionBody, regionForm } from "./places.js";

const PATH = "/api/admin/directory";
const NO_PROBLEMS = { fields: {}, errors: [], tries: 0 };
const at = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

function toForm(d) {
  return { countries: (d.countries || []).map(countryForm), regions: (d.regions || []).map(regionForm) };
}

function toBody(form) {
  return { countries: form.countries.map(countryBody), regions: form.regions.map(regionBody) };
}

function stored(d) {  // the directory itself, without the answer's bookkeeping
  return { countries: d.countries || [], regions: d.regions || [] };
}

function Rows({ title, what, rows, fields, Row, make, onChange }) {
  const change = (n, patch) => onChange(rows.map((r, i) => (i === n ? { ...r, ...patch } : r)));
  const id = "dir-" + what;
  return html`<fieldset id=${id} tabindex="-1"><legend>${title}</legend>
    ${fields[what] ? html`<p class="field-error">${fields[what]}</p>` : null}
    ${rows.length ? null : html`<p class="hint">None yet.</p>`}
    ${rows.map((row, n) => html`<${Row} key=${row.key} row=${row} n=${n} fields=${fields}
      change=${(patch) => change(n, patch)} remove=${() => onChange(rows.filter((_, i) => i !== n))} />`)}
    <p><button type="button" id=${"add-" + what} onClick=${() => onChange([...rows, make({})])}>
      Add ${what === "countries" ? "a country" : "a region"}</button></p>
  </fieldset>`;
}

export function DirectorySection({ me }) {
  const [draft] = useState(() => takeDraft("directory"));
  const [form, setFormOnly] = useState(draft ? draft.form : null);
  const [base, setBase] = useState(draft ? draft.base : null);
  const [version, setVersion] = useState(draft ? draft.version : null);
  const [loadError, setLoadError] = useState("");
  const [problems, setProblems] = useState(NO_PROBLEMS);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState(draft ? "Your unsaved changes are still here: save " +
    "or discard them." : "");
  const [dirty, setDirty] = useState(!!draft);
  useKeepDraft("directory", dirty ? { form, base, version } : null);
  const mayChange = (me.roles || []).includes("admin");
  const setForm = (next) => {
    setFormOnly(next);
    setDirty(true);
  };

  function loaded(d, v) {
    setBase(stored(d));
    setFormOnly(toForm(d));
    setVersion(v);
    setDirty(false);
  }
  useEffect(() => {
    if (draft) return;
    call("GET", PATH).then((r) => (r.ok ? loaded(r.data, r.version) : setLoadError(r.text)));
  }, []);
  if (loadError) return html`<h2>Locale directory</h2><p class="error-line">${loadError}</p>`;
  if (!form) return html`<h2>Locale directory</h2><p>Loading the directory…</p>`;

  async function save(over) {
    const body = toBody(form);
    setSaving(true);
    setStatus("Saving…");
    const r = await saveDoc(PATH, body, over === undefined ? version : over);
    setSaving(false);
    if (r.ok) {
      setProblems(NO_PROBLEMS);
      setConflict(null);
      setDirty(false);
      setBase(body);
      setVersion(r.version);
      return setStatus("Saved at " + at() + ".");
    }
    if (r.conflict) {
      setConflict({ message: r.conflict.error, mine: body, theirs: stored(r.conflict),
        version: r.version });
      setProblems(NO_PROBLEMS);
      return setStatus("Not saved: someone else saved the directory first.");
    }
    setProblems({ fields: r.fields, errors: r.errors, tries: problems.tries + 1 });
    setStatus("Not saved: fix the " + (r.errors.length === 1 ? "problem" : r.errors.length +
      " problems") + " listed above.");
  }
  function useTheirs() {
    loaded(conflict.theirs, conflict.version);
    setConflict(null);
    setStatus("Their version is in the form now; your changes were set aside.");
  }
  function keepMine() {
    setVersion(conflict.version);
    setConflict(null);
    save(conflict.version);
  }
  function discard() {
    setFormOnly(toForm(base));
    setDirty(false);
    setProblems(NO_PROBLEMS);
    setConflict(null);
    setStatus("Your changes were discarded.");
  }

  return html`<h2>Locale directory</h2>
    <p class="hint">Whom to call for the address a client is at: each country's emergency
      numbers, and for a state or region (or only some of its cities or postal codes) the 911
      center's own line, the mobile crisis team, the nearest emergency department, the
      after-hours line and options other than the police.</p>
    ${mayChange ? null : html`<p class="note">Only a program admin saves changes here.</p>`}
    <form class="directory" novalidate onSubmit=${(e) => { e.preventDefault(); save(); }}>
      ${conflict ? html`<${Conflict} message=${conflict.message} mine=${conflict.mine}
        theirs=${conflict.theirs} onUseTheirs=${useTheirs} onKeepMine=${keepMine} />` : null}
      <${ErrorSummary} errors=${problems.errors} fields=${problems.fields} prefix="dir"
        focusKey=${problems.tries} />
      <${Rows} title="Countries" what="countries" rows=${form.countries} fields=${problems.fields}
        Row=${CountryRow} make=${countryForm} onChange=${(countries) => setForm({ ...form, countries })} />
      <${Rows} title="States and regions" what="regions" rows=${form.regions} fields=${problems.fields}
        Row=${RegionRow} make=${regionForm} onChange=${(regions) => setForm({ ...form, regions })} />
      <${SaveBar} saving=${saving} status=${status} onSave=${() => save()} onDiscard=${discard}
        saveLabel="Save the directory" />
    </form>`;
}
