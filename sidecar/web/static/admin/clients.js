// Clients: the list (safety plan review, contacts and what they agreed to, code words on
// file, whether the address has a 911 center) and, at #clients/<id> or #clients/new, the
// record's form.
import { html, useState } from "/static/vendor/preact-htm.js";
import { ClientForm } from "./client.js";
import { useDoc } from "./doc.js";
import { go } from "./route.js";
import { CONSENT_WORDS } from "./words.js";

const MATCHED = { postal_code: "yes (postal code)", postal_prefix: "yes (postal prefix)",
  city: "yes (city)", region: "yes (region)" };

function review(plan) {
  if (!plan.last_reviewed) return html`<span class="flag">not reviewed yet</span>`;
  if (plan.overdue) return html`<span class="flag">overdue since ${plan.review_due}</span>`;
  return "reviewed " + plan.last_reviewed + ", due " + plan.review_due;
}

function contacts(c) {
  if (!c.contacts) return "none";
  const order = Object.keys(CONSENT_WORDS);
  const agreed = [...c.consent_scopes].sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((s) => CONSENT_WORDS[s] || s);
  const n = c.contacts === 1 ? "1 contact" : c.contacts + " contacts";
  if (!agreed.length) return html`${n}: <span class="flag">no consent on file</span>`;
  return html`${n}, agreed between them:<ul class="scopes">${agreed.map((a) => html`<li key=${a}>${a}</li>`)}</ul>`;
}

function match(c) {
  if (!c.address_on_file) return html`<span class="flag">no address on file</span>`;
  if (!c.directory_match) return html`<span class="flag">no 911 center (PSAP) on file</span>`;
  return MATCHED[c.directory_match] || c.directory_match;
}

function Row({ c }) {
  return html`<tr data-client=${c.id}>
    <td data-label="Name"><strong>${c.name}</strong><br /><span class="hint">${c.id}</span></td>
    <td data-label="Safety plan review">${review(c.safety_plan)}</td>
    <td data-label="Emergency contacts">${contacts(c)}</td>
    <td data-label="Code words">${c.has_code_words ? "yes" : "no"}</td>
    <td data-label="911 center for the address">${match(c)}</td>
    <td><a class="button" href=${"#clients/" + encodeURIComponent(c.id)}
      aria-label=${"Open " + c.name}>Open</a></td>
  </tr>`;
}

function ClientList() {
  const doc = useDoc("/api/admin/clients");
  if (doc.status === "loading") return html`<p>Loading the clients…</p>`;
  if (doc.status === "error") return html`<p class="error-line" id="error-clients">${doc.error}</p>`;
  const list = doc.data.clients;
  const overdue = list.filter((c) => c.safety_plan.overdue).length;
  return html`<p id="clients-summary" class="hint">${list.length === 1 ? "1 client" : list.length +
      " clients"}; ${overdue === 1 ? "1 safety plan review" : overdue + " safety plan reviews"}
      overdue as of ${doc.data.today}.</p>
    <p><button type="button" id="new-client" class="primary" onClick=${() => go("clients", "new")}>New client</button></p>
    <table id="clients" class="stack">
      <caption class="visually-hidden">Clients</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Safety plan review</th>
        <th scope="col">Emergency contacts (what they agreed to)</th><th scope="col">Code words</th>
        <th scope="col">911 center (PSAP) for the address</th>
        <th scope="col"><span class="visually-hidden">Open</span></th></tr></thead>
      <tbody>${list.map((c) => html`<${Row} key=${c.id} c=${c} />`)}</tbody>
    </table>`;
}

export function ClientsSection({ me, route }) {
  const [flash, setFlash] = useState({ id: "", text: "" });
  if (route) {
    const id = route === "new" ? "" : route;
    return html`<p class="back"><a href="#clients">← All clients</a></p>
      <${ClientForm} key=${route} me=${me} id=${id}
        flash=${flash.id === id ? flash.text : ""}
        onSaved=${(saved, text) => { setFlash({ id: saved, text }); go("clients", saved); }} />`;
  }
  return html`<h2>Clients</h2><${ClientList} />`;
}
