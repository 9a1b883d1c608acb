// One client's record as a form: who they are, how to reach them, the address on file,
// their Zoom identities, emergency contacts and (for the clinical lead) the clinical
// sections. Saved over the version it was read at; what the admin typed stays on any refusal.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { AttendanceHistory } from "./attendance.js";
import { CaregiverPages, CLINICAL_ROLES } from "./caregiver-pages.js";
import { ClinicalSections, ClinicalNote, planForm, planBody } from "./clinical.js";
import { Contacts, contactForm, contactBody } from "./contacts.js";
import { call, pathOf, saveDoc } from "./doc.js";
import { takeDraft, useKeepDraft } from "./drafts.js";
import { Checkbox, Conflict, ErrorSummary, SaveBar, TextInput, fieldId, within } from "./fields.js";
import { lines, slug } from "./words.js";
import { PlanSend } from "/static/plan-send.js";

const PLACE = [["street", "Street and number", false], ["unit", "Unit or apartment", true],
  ["city", "City or town", false], ["region", "State or region", false, "Like IL or US-IL"],
  ["postal_code", "Postal code", false], ["country", "Country", false,
    "Two letters, like US, CA or AU"], ["room", "Room or floor", true]];
const META = ["version", "clinical_fields_hidden", "safety_plan_review", "code_words_count"];

function blank() {
  return { id: "", name: "", callback_phone: "", sms_consent: false, location: null,
    emergency_contacts: [], zoom_display_names: [], zoom_emails: [], code_words: [] };
}

function toForm(record) {
  const place = record.location || {};
  return {
    id: record.id, name: record.name, callback_phone: record.callback_phone || "",
    sms_consent: !!record.sms_consent,
    location: Object.fromEntries(PLACE.map(([k]) => [k, place[k] || ""])),
    zoom_display_names: (record.zoom_display_names || []).join("\n"),
    zoom_emails: (record.zoom_emails || []).join("\n"),
    emergency_contacts: (record.emergency_contacts || []).map(contactForm),
    ...planForm(record),
  };
}

function toBody(form, base, clinical) {
  const kept = Object.fromEntries(Object.entries(base || {}).filter(([k]) => !META.includes(k)));
  const place = form.location;
  const hasPlace = PLACE.some(([k]) => place[k].trim());
  const body = { ...kept, id: form.id.trim(), name: form.name.trim(),
    callback_phone: form.callback_phone.trim(), sms_consent: form.sms_consent,
    location: hasPlace ? Object.fromEntries(PLACE.map(([k]) => [k, place[k].trim()])) : null,
    zoom_display_names: lines(form.zoom_display_names), zoom_emails: lines(form.zoom_emails),
    emergency_contacts: form.emergency_contacts.map(contactBody) };
  delete body.code_words;
  return clinical ? { ...body, ...planBody(form) } : body;
}

function idProblem(id) {
  if (!id.trim()) return "Give the record an id, like casey-brightwater";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(id.trim())) {
    return "Letters, digits, dots, dashes and underscores only (up to 64), like client-004";
  }
  return "";
}

const NO_PROBLEMS = { fields: {}, errors: [], tries: 0 };
const at = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });

export function ClientForm({ me, id, onSaved, flash }) {
  const clinical = (me.roles || []).includes("program_clinical_lead");
  const coaching = !!id && (me.roles || []).some((r) => CLINICAL_ROLES.includes(r));
  const isNew = !id;
  const [draft] = useState(() => takeDraft("client:" + id));
  const [form, setForm] = useState(draft ? draft.form : isNew ? toForm(blank()) : null);
  const [base, setBase] = useState(draft ? draft.base : isNew ? null : undefined);
  const [version, setVersion] = useState(draft ? draft.version : null);
  const [loadError, setLoadError] = useState("");
  const [problems, setProblems] = useState(NO_PROBLEMS);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState(draft ? "Your unsaved changes are still here: save " +
    "or discard them." : flash || "");
  const [idTyped, setIdTyped] = useState(draft ? draft.idTyped : false);
  const [dirty, setDirty] = useState(!!draft);
  const forget = useKeepDraft("client:" + id, dirty ? { form, base, version, idTyped } : null);

  function loaded(record, v) {
    setBase(record);
    setForm(toForm(record));
    setVersion(v);
    setDirty(false);
  }
  async function load() {
    const r = await call("GET", pathOf("/api/admin/clients", id));
    if (r.ok) loaded(r.data, r.version);
    else setLoadError(r.status === 404 ? "There is no client " + id + "." : r.text);
  }
  useEffect(() => { if (!isNew && !draft) load(); }, [id]);

  if (loadError) return html`<h2>Client ${id}</h2><p class="error-line">${loadError}</p>`;
  if (!form) return html`<h2>Client ${id}</h2><p>Loading the record…</p>`;

  const set = (patch) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
  };
  const err = (path) => problems.fields[path];
  const idErr = isNew ? problems.fields.id : undefined;

  async function save(over) {
    const idWrong = isNew ? idProblem(form.id) : "";
    if (idWrong) {
      setProblems({ fields: { id: idWrong }, errors: ["id: " + idWrong], tries: problems.tries + 1 });
      setStatus("Not saved: fix the problem listed above.");
      return;
    }
    const body = toBody(form, base, clinical);
    setSaving(true);
    setStatus("Saving…");
    const r = await saveDoc(pathOf("/api/admin/clients", body.id), body,
      over === undefined ? version : over, { create: isNew });
    setSaving(false);
    if (r.ok) {
      setProblems(NO_PROBLEMS);
      setConflict(null);
      setDirty(false);
      forget();
      if (isNew) return onSaved(body.id, "Saved: " + body.name + " was added at " + at() + ".");
      const { code_words: words, ...saved } = body;  // kept on file, masked again
      setBase({ ...base, ...saved, code_words_count: words ? words.length : base.code_words_count });
      setVersion(r.version);
      return setStatus("Saved at " + at() + ".");
    }
    if (r.conflict) {
      const { error, ...theirs } = r.conflict;
      setConflict({ message: error, mine: body, theirs, version: r.version });
      setProblems(NO_PROBLEMS);
      return setStatus("Not saved: someone else saved this client first.");
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
    const v = conflict.version;
    setVersion(v);
    setConflict(null);
    save(v);
  }
  function discard() {
    setProblems(NO_PROBLEMS);
    setConflict(null);
    if (isNew) { setForm(toForm(blank())); setIdTyped(false); } else { setForm(toForm(base)); }
    setDirty(false);
    setStatus("Your changes were discarded.");
  }
  function rename(name) {
    set(isNew && !idTyped ? { name, id: slug(name) } : { name });
  }
  const mineForDiff = conflict ? { ...conflict.mine, code_words: undefined } : null;

  return html`<h2>${isNew ? "New client" : (base && base.name) || id}</h2>
    <form class="record" novalidate onSubmit=${(e) => { e.preventDefault(); save(); }}>
    ${conflict ? html`<${Conflict} message=${conflict.message} mine=${mineForDiff}
      theirs=${conflict.theirs} onUseTheirs=${useTheirs} onKeepMine=${keepMine} />` : null}
    <${ErrorSummary} errors=${problems.errors} fields=${problems.fields} prefix="client"
      focusKey=${problems.tries} />
    <fieldset><legend>Who they are</legend>
      <${TextInput} id="client-name" label="Name" value=${form.name} error=${err("name")}
        onInput=${rename} autocomplete="off" />
      <${TextInput} id="client-id" label="Record id" value=${form.id} error=${idErr}
        readOnly=${!isNew} onInput=${(v) => { setIdTyped(true); set({ id: v }); }}
        hint=${isNew ? "Suggested from the name; letters, digits, dots, dashes and " +
          "underscores. It cannot change once saved." : "An id cannot change once saved."} />
    </fieldset>
    <fieldset><legend>Reaching them</legend>
      <${TextInput} id="client-callback_phone" label="Callback number" type="tel"
        value=${form.callback_phone} error=${err("callback_phone")} inputmode="tel"
        hint="In international format, like +13125550142"
        onInput=${(v) => set({ callback_phone: v })} />
      <${Checkbox} id="client-sms_consent" label="They agreed to texts when the connection drops"
        checked=${form.sms_consent} onChange=${(v) => set({ sms_consent: v })}
        hint="A rejoin link, and “reply 1 if you are OK, 2 if you want a call”." />
    </fieldset>
    <fieldset class="grid"><legend>Address on file</legend>
      <p class="hint wide">Where they usually join from. Leave every box empty if there is none.</p>
      ${PLACE.map(([k, label, optional, hint]) => html`<${TextInput} key=${k}
        id=${fieldId("client", "location." + k)} label=${label} optional=${optional} hint=${hint}
        value=${form.location[k]} error=${err("location." + k) || (k === "street" ? err("location") : undefined)}
        onInput=${(v) => set({ location: { ...form.location, [k]: v } })} />`)}
    </fieldset>
    <fieldset><legend>Zoom</legend>
      <${TextInput} id="client-zoom_display_names" label="Zoom display names" rows=${3} optional
        hint="One a line, as they appear in the meeting" value=${form.zoom_display_names}
        error=${within(problems.fields, "zoom_display_names")}
        onInput=${(v) => set({ zoom_display_names: v })} />
      <${TextInput} id="client-zoom_emails" label="Zoom e-mail addresses" rows=${2} optional
        hint="One a line" value=${form.zoom_emails} error=${within(problems.fields, "zoom_emails")}
        onInput=${(v) => set({ zoom_emails: v })} />
    </fieldset>
    <${Contacts} rows=${form.emergency_contacts} fields=${problems.fields}
      onChange=${(rows) => set({ emergency_contacts: rows })}
      extra=${coaching ? (row) => html`<${CaregiverPages} client=${id} contact=${row.id}
        name=${row.name.trim()} />` : null} />
    ${clinical ? html`<${ClinicalSections} form=${form} set=${set} fields=${problems.fields}
        id=${isNew ? "" : id} base=${base} />`
      : html`<${ClinicalNote} base=${base} />`}
    <${SaveBar} saving=${saving} status=${status} onSave=${() => save()} onDiscard=${discard}
      saveLabel=${isNew ? "Save the new client" : "Save changes"} />
    </form>
    ${isNew ? null : html`<${PlanSend} client=${id} name=${(base && base.name) || id}
      base="/api/admin/clients" call=${call} id="plan-send" />`}
    ${clinical && !isNew ? html`<${AttendanceHistory} id=${id} />` : null}`;
}
