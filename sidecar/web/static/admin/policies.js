// Placeholder until the Policies form arrives: the shell imports { PoliciesSection } from here.
import { html } from "/static/vendor/preact-htm.js";

export function PoliciesSection({ me }) {
  return html`<h2 id="policies-title">Policies</h2>
    <p class="hint">This section is not ready yet.</p>`;
}
