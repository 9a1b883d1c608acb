// The coaching pages attached to one of a client's emergency contacts, beside that contact
// on the client's record: each with whether the caregiver has read it ("read Tue 14:05" or
// "not read yet"), a button to take it off, and a choice of pages to attach. For the
// client's clinicians (the API refuses anyone else); names only, never ids.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { call, pathOf } from "./doc.js";

export const CLINICAL_ROLES = ["lead_clinician", "co_facilitator", "on_call", "program_clinical_lead"];

function Attached({ line, busy, onDetach, who }) {
  return html`<li data-page=${line.page_id}>
    <strong>${line.title}</strong>${line.retired ? html` <span class="flag">(retired)</span>` : null}
    ${" — "}<span class=${"receipt" + (line.read_at ? " read" : "")}>${line.read_words}</span>
    <br /><span class="hint">Attached by ${line.attached_by}, ${line.attached_at.slice(0, 10)}</span>
    ${" "}<button type="button" class="small" disabled=${busy}
      aria-label=${"Take off " + line.title + " for " + who} onClick=${onDetach}>Take off</button>
  </li>`;
}

export function CaregiverPages({ client, contact, name }) {
  const path = pathOf("/api/clients", client, "contacts", contact, "coaching");
  const [data, setData] = useState(null);
  const [error, setError] = useState("");
  const [chosen, setChosen] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");
  const who = name || "this contact";
  const box = "coaching-for-" + contact;

  function took(r, done) {
    setBusy(false);
    if (!r.ok) return setStatus(r.status === 403 ? "Only the client's clinicians can change these."
      : r.text || "Tether answered " + r.status + ": nothing changed.");
    setData(r.data);
    setChosen("");
    return setStatus(done);
  }
  useEffect(() => {
    call("GET", path).then((r) => (r.ok ? setData(r.data) : setError(r.status === 404
      ? "Save the record first, then attach pages to this contact." : r.text)));
  }, [path]);

  async function attach() {
    const page = chosen || (data.available[0] && data.available[0].id);
    if (!page) return;
    const title = data.available.find((p) => p.id === page).title;
    setBusy(true);
    took(await call("PUT", path + "/" + encodeURIComponent(page)), title + " attached.");
  }
  async function detach(line) {
    setBusy(true);
    took(await call("DELETE", path + "/" + encodeURIComponent(line.page_id)), line.title + " taken off.");
  }

  if (error) return html`<div class="coaching-for"><p class="hint">${error}</p></div>`;
  if (!data) return html`<div class="coaching-for"><p class="hint">Loading coaching pages…</p></div>`;
  return html`<div class="coaching-for" id=${box} role="group" aria-labelledby=${box + "-title"}>
    <p class="coaching-for-title" id=${box + "-title"}><strong>Coaching pages for ${who}</strong></p>
    ${data.attached.length ? html`<ul class="coaching-attached">${data.attached.map((line) => html`<${Attached}
        key=${line.page_id} line=${line} busy=${busy} who=${who} onDetach=${() => detach(line)} />`)}</ul>`
      : html`<p class="hint">None attached yet.</p>`}
    ${data.available.length ? html`<div class="attach-row">
        <label for=${box + "-choice"}>Page to attach</label>
        <select id=${box + "-choice"} value=${chosen || data.available[0].id}
          onChange=${(e) => setChosen(e.target.value)}>
          ${data.available.map((p) => html`<option key=${p.id} value=${p.id}>${p.title}</option>`)}
        </select>
        <button type="button" disabled=${busy} onClick=${attach}>Attach for ${who}</button>
      </div>` : null}
    <p class="status" role="status" aria-live="polite">${status}</p>
  </div>`;
}
