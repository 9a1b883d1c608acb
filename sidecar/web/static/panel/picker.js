// Outside Zoom and Jitsi without a meeting in the link: the groups the signed-in clinician
// cares for, each with its live session or plainly "not started yet".
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { api, sentence } from "./api.js";
import { ROLE_TEXT } from "./words.js";

export function Picker({ onPick }) {
  const [groups, setGroups] = useState(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api("GET", "/api/meetings").then((r) => r.ok ? setGroups(r.data.groups || [])
      : setError("Your groups could not load: " + sentence(r)));
  }, []);
  if (error) return html`<p class="error-line">${error}</p>`;
  if (!groups) return html`<p>Loading your groups…</p>`;
  if (!groups.length) return html`<p>No group lists you as its lead or co-facilitator.</p>`;
  return html`<section class="picker" aria-labelledby="picker-title">
    <h2 id="picker-title">Choose a group</h2>
    <ul>${groups.map((g) => html`<li key=${g.name}>
      ${g.meeting ? html`<a href=${"#meeting=" + encodeURIComponent(g.meeting)}
          onClick=${() => onPick(g.meeting)}>${g.name}</a>${" "}<span class="badge">running now</span>`
        : html`<span class="group-name">${g.name}</span>${" "}<span class="not-started">not started yet</span>
          ${g.jitsi_room ? html` <a href=${"/jitsi/console/" + encodeURIComponent(g.jitsi_room)}>Open the Jitsi console</a>` : null}`}
      ${g.role ? html`<span class="hint"> ${ROLE_TEXT[g.role]}</span>` : null}
    </li>`)}</ul>
  </section>`;
}
