// The dispatch card: whom to call for the client's address, where they are and how sure we
// are of it, and what responders must know. Numbers are tel: links, written for reading.
import { html } from "/static/vendor/preact-htm.js";
import { locationAge, phone, telHref } from "./words.js";

function Tel({ number, label }) {
  return html`<a href=${telHref(number)} aria-label=${label ? label + " " + phone(number) : null}>${phone(number)}</a>`;
}

function Whom({ r, c }) {
  const mobile = r.mobile_crisis;
  const first = c.prefer_non_police && mobile ? html`<p class="whom mobile">
    Mobile crisis first (the record asks for non-police first): ${mobile.name}${" "}
    <${Tel} number=${mobile.number} />${mobile.hours ? " (" + mobile.hours + ")" : ""}</p>` : null;
  const psap = r.psap_number ? html`<p class="whom psap">Call ${r.psap_name}, the 911 centre
    for this address: <${Tel} number=${r.psap_number} />.
    <span class="hint">Your own ${r.emergency_number} reaches your area, not theirs.</span></p>`
    : html`<p class="whom psap">${r.advice || "No 911 centre on file for this address"}:
      call ${r.emergency_number}, say the client is remote and give the full address.</p>`;
  return html`${first}${psap}`;
}

function Row({ term, children }) {
  return children ? html`<dt>${term}</dt><dd>${children}</dd>` : null;
}

export function DispatchCard({ card, error }) {
  if (error) return html`<p class="dispatch-error">${error}</p>`;
  if (!card) return html`<p class="dispatch-loading">Loading the dispatch card…</p>`;
  const c = card.considerations || {};
  const r = card.responders || {};
  const present = card.who_is_present || "not known (no check-in today)";
  return html`<section class="dispatch" aria-label=${"Dispatch card for " + card.name}>
    <h3>Send responders to ${card.name}</h3>
    <${Whom} r=${r} c=${c} />
    <dl>
      <dt>Address</dt>
      <dd class="address">${card.address || "none on file: ask where they are"}${" "}
        <span class=${"age" + (card.stale ? " stale" : "")}>(${locationAge(card)})</span></dd>
      <${Row} term="Room">${card.room}<//>
      <dt>Callback</dt><dd><${Tel} number=${card.callback_phone} label="Callback" /></dd>
      <dt>With them</dt><dd>${present}${c.household ? "; household: " + c.household : ""}</dd>
      <${Row} term="Risks">${c.known_risks}<//>
      <${Row} term="Access">${c.access_notes}<//>
      <${Row} term="Pets">${c.pets}<//>
      <${Row} term="Medical">${c.medical_notes}<//>
      <${Row} term="Guardian">${c.guardian}<//>
      <${Row} term="Travel">${c.rural_travel_minutes ? "responders may need " + c.rural_travel_minutes + " minutes" : ""}<//>
      <${Row} term="Contacts">${(card.emergency_contacts || []).length ? card.emergency_contacts.map((e) =>
        html`<span class="contact">${e.name}${e.relation ? " (" + e.relation + ")" : ""}${" "}
          <${Tel} number=${e.phone} /></span>`) : ""}<//>
      <${Row} term="Non-police">${(r.non_police_options || []).join("; ")}<//>
    </dl>
  </section>`;
}
