// Placeholder until the On-call schedule form arrives: the shell imports { OnCallSection } from here.
import { html } from "/static/vendor/preact-htm.js";

export function OnCallSection({ me }) {
  return html`<h2 id="oncall-title">On-call schedule</h2>
    <p class="hint">This section is not ready yet.</p>`;
}
