// Placeholder until the Staff form arrives: the shell imports { StaffSection } from here.
import { html } from "/static/vendor/preact-htm.js";

export function StaffSection({ me }) {
  return html`<h2 id="staff-title">Staff</h2>
    <p class="hint">This section is not ready yet.</p>`;
}
