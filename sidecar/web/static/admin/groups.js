// Placeholder until the Groups form arrives: the shell imports { GroupsSection } from here.
import { html } from "/static/vendor/preact-htm.js";

export function GroupsSection({ me }) {
  return html`<h2 id="groups-title">Groups</h2>
    <p class="hint">This section is not ready yet.</p>`;
}
