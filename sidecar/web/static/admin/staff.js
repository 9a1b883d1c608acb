// Staff: everyone who signs in to Tether or is called by it, one card a person. A person
// named by a group or an on-call shift cannot be removed (change those first); unticking
// "Active" ends their sessions when the change is saved.
import { html } from "/static/vendor/preact-htm.js";
import { ChoiceBoxes, ListInput, NotYet, focusSoon, problemAt, useConfigBody, useConfigForm }
  from "./configform.js";
import { Checkbox, Conflict, ErrorSummary, SaveBar, TextInput, fieldId } from "./fields.js";

export const ROLES = [
  { value: "lead_clinician", label: "Leads groups" },
  { value: "co_facilitator", label: "Co-facilitates groups" },
  { value: "on_call", label: "Takes on-call shifts" },
  { value: "admin", label: "Program admin (no clinical content)" },
  { value: "program_clinical_lead", label: "Clinical lead (all groups)" },
];

function slug(name) {
  return String(name || "").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64);
}

// An id for a new person from their name, not yet taken by another row
function suggestedId(name, rows, index) {
  const base = slug(name);
  const taken = new Set(rows.filter((_, j) => j !== index).map((r) => r.id));
  let id = base;
  for (let n = 2; base && taken.has(id); n += 1) id = base + "-" + n;
  return id;
}

// What names a person: "the Tuesday evening group (lead)", "an on-call shift"
function namedBy(id, groups, shifts) {
  const found = [];
  for (const g of groups || []) {
    const as = [["lead", "lead"], ["co_facilitator", "co-facilitator"],
      ["connection_lost_responder", "connection-lost responder"]]
      .filter(([k]) => g[k] === id).map(([, w]) => w);
    if (as.length) found.push(g.name + " (" + as.join(", ") + ")");
  }
  const n = (shifts || []).filter((s) => s.staff === id).length;
  if (n) found.push(n === 1 ? "an on-call shift" : n + " on-call shifts");
  return found;
}

// Both copies keyed by each person's name (theirs first), so the differences read
// "Morgan Ostrander, phone" rather than "Item 2, phone"
function byName(mine, theirs) {
  const names = {};
  for (const r of [...mine, ...theirs]) if (r.id) names[r.id] = r.name;
  const keyed = (rows) => Object.fromEntries(rows.map((r, i) =>
    [String(names[r.id] || r.name || "New person " + (i + 1)).replace(/[._]/g, " "), r]));
  return [keyed(mine), keyed(theirs)];
}

const NEW_PERSON = { id: "", name: "", roles: [], phone: "", email: null, zoom_emails: [],
  zoom_user_ids: [], active: true, _new: true };

function Person({ row, i, form, refs, me }) {
  const at = (f) => fieldId("staff", i + "." + f);
  const err = (f) => problemAt(form.fields, i + "." + f);
  const set = (patch) => form.setDraft((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const rename = (name) => set(row._new && !row._idTyped
    ? { name, id: suggestedId(name, form.draft, i) } : { name });
  const tell = (text) => (row._new ? text : undefined);  // hints on a new person's card only
  const label = row.name || "New person";
  const names = refs === null ? null : namedBy(row.id, refs.groups, refs.shifts);
  const you = me && row.id === me.staff;
  return html`<li class="card" data-staff=${row.id}>
    <fieldset class="row"><legend>${label}</legend>
      ${row._new ? null : html`<p class="hint">Id: ${row.id}${you ? " (this is you)" : ""}</p>`}
      <${TextInput} id=${at("name")} label="Name" value=${row.name} error=${err("name")}
        onInput=${rename} />
      ${row._new ? html`<${TextInput} id=${at("id")} label="Id" value=${row.id} error=${err("id")}
        hint="Suggested from the name: letters, digits, dots and dashes. It cannot change once saved."
        onInput=${(id) => set({ id, _idTyped: true })} />` : null}
      <${TextInput} id=${at("email")} label="Email (their sign-in)" type="email" optional
        value=${row.email} error=${err("email")}
        hint=${tell("The address the program's sign-in provider vouches for; without one they cannot sign in.")}
        onInput=${(v) => set({ email: v.trim() ? v : null })} />
      <${TextInput} id=${at("phone")} label="Phone" type="tel" value=${row.phone}
        error=${err("phone")} hint="International format, like +13125550142."
        onInput=${(phone) => set({ phone })} />
      <${ChoiceBoxes} id=${at("roles")} legend="Roles" options=${ROLES} chosen=${row.roles || []}
        error=${err("roles")} onChange=${(roles) => set({ roles })} />
      <${ListInput} id=${at("zoom_user_ids")} label="Zoom user ids (one a line)" optional
        value=${row.zoom_user_ids} error=${err("zoom_user_ids")}
        hint=${tell("How Tether knows them inside the Zoom app.")}
        onChange=${(v) => set({ zoom_user_ids: v })} />
      <${ListInput} id=${at("zoom_emails")} label="Zoom email addresses (one a line)" optional
        value=${row.zoom_emails} error=${err("zoom_emails")}
        onChange=${(v) => set({ zoom_emails: v })} />
      <${Checkbox} id=${at("active")} label="Active" checked=${row.active !== false}
        hint=${row.active === false
          ? "Not active: they cannot sign in and are on no call list. Their sessions end at once on save."
            + (you ? " That includes yours." : "")
          : tell("Can sign in and be called.")}
        onChange=${(active) => set({ active })} />
      ${names === null || you ? null : names.length
        ? html`<p class="hint">Named by ${names.join(", ")}: change ${names.length === 1
            ? "that" : "those"} to remove ${row.name || "them"}.</p>`
        : html`<button type="button" class="remove"
            onClick=${() => form.setDraft((rows) => rows.filter((_, j) => j !== i))}>
            Remove ${label}</button>`}
    </fieldset></li>`;
}

function check(rows) {
  const found = {};
  rows.forEach((r, i) => {
    if (!r.name.trim()) found[i + ".name"] = "required: the person's name";
    if (!(r.roles || []).length) found[i + ".roles"] = "tick at least one role";
  });
  return found;
}

export function StaffSection({ me }) {
  const form = useConfigForm("staff", { check });
  const groups = useConfigBody("groups");
  const shifts = useConfigBody("on_call");
  if (form.draft === null) return html`<${NotYet} title="Staff" id="staff-title" doc=${form.doc} />`;
  const refs = groups && shifts ? { groups, shifts } : null;
  return html`<h2 id="staff-title">Staff</h2>
    <p class="hint">Everyone who signs in to Tether or is called by it: clinicians, on-call
      staff and admins. ${form.draft.length} ${form.draft.length === 1 ? "person" : "people"}.</p>
    <${ErrorSummary} errors=${form.errors} fields=${form.fields} prefix="staff"
      focusKey=${form.tries} />
    ${form.conflict ? html`<${Conflict} message=${form.conflict.error}
      mine=${byName(form.mine(), form.conflict.body)[0]}
      theirs=${byName(form.mine(), form.conflict.body)[1]} onUseTheirs=${form.useTheirs} onKeepMine=${form.keepMine} />`
      : null}
    <ul class="cards" aria-labelledby="staff-title">
      ${form.draft.map((row, i) => html`<${Person} key=${i} row=${row} i=${i} form=${form}
        refs=${refs} me=${me} />`)}
    </ul>
    <p><button type="button" onClick=${() => { form.setDraft((rows) => [...rows, { ...NEW_PERSON }]);
      focusSoon(fieldId("staff", form.draft.length + ".name")); }}>
      Add a person</button></p>
    <${SaveBar} saving=${form.saving} status=${form.status} onSave=${form.save}
      onDiscard=${form.discard} saveLabel="Save staff" />
    <p class="hint">${form.savedBy()}</p>`;
}
