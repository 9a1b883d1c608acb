// A client's emergency contacts as rows: who, how to reach them, what the client agreed we
// may do with them (in plain words), since when and until when.
import { html } from "/static/vendor/preact-htm.js";
import { Checkbox, TextInput, fieldId } from "./fields.js";
import { CONSENT } from "./words.js";

let rowCount = 0;  // a row's key for Preact, so removing one keeps the others' inputs

export function contactForm(c) {
  rowCount += 1;
  return { key: "contact-" + rowCount, id: c.id || "", name: c.name || "", relation: c.relation || "",
    phone: c.phone || "", consent: [...(c.consent || [])],
    consent_given_on: c.consent_given_on || "", consent_expires_on: c.consent_expires_on || "",
    speaks_to_responders: !!c.speaks_to_responders, shares_code_words: !!c.shares_code_words,
    email: c.email || "" };
}

export function contactBody(row) {
  return { id: row.id || "", name: row.name.trim(), relation: row.relation.trim(), phone: row.phone.trim(),
    consent: CONSENT.map(([scope]) => scope).filter((s) => row.consent.includes(s)),
    consent_given_on: row.consent_given_on || null,
    consent_expires_on: row.consent_expires_on || null,
    speaks_to_responders: row.speaks_to_responders, shares_code_words: row.shares_code_words,
    email: row.email.trim() || null };
}

function Contact({ row, n, fields, change, remove, extra }) {
  const path = (k) => "emergency_contacts." + n + "." + k;
  const id = (k) => fieldId("client", path(k));
  const err = (k) => fields[path(k)];
  const toggle = (scope, on) => change({ consent: on ? [...row.consent, scope]
    : row.consent.filter((s) => s !== scope) });
  const who = "Contact " + (n + 1) + (row.name.trim() ? ": " + row.name.trim() : "");
  return html`<fieldset class="row">
    <legend>${who}</legend>
    <div class="grid">
      <${TextInput} id=${id("name")} label="Name" value=${row.name} error=${err("name")}
        onInput=${(v) => change({ name: v })} />
      <${TextInput} id=${id("relation")} label="Relation to the client" optional
        hint="Like sister, parent, roommate" value=${row.relation} error=${err("relation")}
        onInput=${(v) => change({ relation: v })} />
      <${TextInput} id=${id("phone")} label="Phone" type="tel" inputmode="tel"
        hint="Like +13125550142" value=${row.phone} error=${err("phone")}
        onInput=${(v) => change({ phone: v })} />
      <${TextInput} id=${id("email")} label="E-mail" type="email" optional
        hint="Safety-plan links also go here, when the program sends e-mail" value=${row.email}
        error=${err("email")} onInput=${(v) => change({ email: v })} />
    </div>
    <fieldset class="consent" id=${id("consent")} tabindex="-1"
      aria-describedby=${err("consent") ? id("consent") + "-error" : undefined}>
      <legend>What the client agreed we may do</legend>
      ${err("consent") ? html`<p class="field-error" id=${id("consent") + "-error"}>${err("consent")}</p>` : null}
      ${CONSENT.map(([scope, words]) => html`<${Checkbox} key=${scope}
        id=${id("consent") + "-" + scope} label=${words} checked=${row.consent.includes(scope)}
        onChange=${(on) => toggle(scope, on)} />`)}
    </fieldset>
    <div class="grid">
      <${TextInput} id=${id("consent_given_on")} label="Consent given on" type="date" optional
        hint="Empty: taken as given today" value=${row.consent_given_on}
        error=${err("consent_given_on")} onInput=${(v) => change({ consent_given_on: v })} />
      <${TextInput} id=${id("consent_expires_on")} label="Consent expires on" type="date" optional
        hint="The last day it holds; empty: until they withdraw it" value=${row.consent_expires_on}
        error=${err("consent_expires_on")} onInput=${(v) => change({ consent_expires_on: v })} />
    </div>
    <${Checkbox} id=${id("speaks_to_responders")} label="Speaks to responders"
      hint="The household member who talks to police or the crisis team on arrival"
      checked=${row.speaks_to_responders} onChange=${(v) => change({ speaks_to_responders: v })} />
    <${Checkbox} id=${id("shares_code_words")} label="The client chose to share their code words with this person"
      hint="Shown on this person's safety-plan page while their consent holds, so they know what the words mean"
      checked=${row.shares_code_words} onChange=${(v) => change({ shares_code_words: v })} />
    ${extra && row.id ? extra(row) : null}
    <p><button type="button" class="remove" onClick=${remove}>Remove ${who}</button></p>
  </fieldset>`;
}

// extra(row): more to show under a saved contact (the coaching pages attached to them)
export function Contacts({ rows, fields, onChange, extra }) {
  const change = (n, patch) => onChange(rows.map((r, i) => (i === n ? { ...r, ...patch } : r)));
  const remove = (n) => onChange(rows.filter((_, i) => i !== n));
  return html`<fieldset id="client-emergency_contacts" tabindex="-1">
    <legend>Emergency contacts</legend>
    ${fields.emergency_contacts ? html`<p class="field-error">${fields.emergency_contacts}</p>` : null}
    ${rows.length ? null : html`<p class="hint">No emergency contacts yet.</p>`}
    ${rows.map((row, n) => html`<${Contact} key=${row.key} row=${row} n=${n} fields=${fields}
      change=${(patch) => change(n, patch)} remove=${() => remove(n)} extra=${extra} />`)}
    <p><button type="button" id="add-contact" onClick=${() => onChange([...rows, contactForm({})])}>
      Add a contact</button></p>
  </fieldset>`;
}
