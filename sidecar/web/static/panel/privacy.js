// A client's privacy answers on their roster row ("Headphones: yes"); a "no" is marked for
// attention ("Not private") so the lead can gently check in. The words come from Tether.
import { html } from "/static/vendor/preact-htm.js";

export function PrivacyAnswers({ answers }) {
  if (!answers || !answers.length) return null;
  return html`<ul class="privacy-answers" aria-label="Privacy">
    ${answers.map((a) => a.attention
      ? html`<li key=${a.key} class="attention"><span aria-hidden="true">! </span>${a.words}</li>`
      : html`<li key=${a.key}>${a.words}</li>`)}
  </ul>`;
}
