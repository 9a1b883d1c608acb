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
  const today = groups.filter((g) => g.meeting || (g.today && g.today.length));
  const others = groups.filter((g) => !g.meeting && !(g.today && g.today.length));
  return html`<section class="picker" aria-labelledby="picker-title">
    <h2 id="picker-title">Choose a group</h2>
    ${today.length ? html`<ul>${today.map((g) => html`<${Group} key=${g.name} g=${g} onPick=${onPick} />`)}</ul>`
      : html`<p>None of your groups meets today.</p>`}
    ${others.length ? html`<details class="other-groups">
      <summary>Your other groups (${others.length})</summary>
      <ul>${others.map((g) => html`<${Group} key=${g.name} g=${g} onPick=${onPick} />`)}</ul>
    </details>` : null}
  </section>`;
}

// "18:00" as this browser writes a time of day ("6:00 PM")
function clock(hhmm) {
  const [h, m] = hhmm.split(":").map(Number);
  return new Date(2000, 0, 1, h % 24, m).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

function when(g) {
  return (g.today || []).map((s) => "today " + clock(s.start) + " to " + clock(s.end)).join(", ");
}

function Group({ g, onPick }) {
  const times = when(g);
  return html`<li>
      ${g.meeting ? html`<a href=${"#meeting=" + encodeURIComponent(g.meeting)}
          onClick=${() => onPick(g.meeting)}>${g.name}</a>${" "}<span class="badge">running now</span>`
        : html`<span class="group-name">${g.name}</span>${" "}<span class="not-started">not started yet</span>
          ${g.jitsi_room ? html` <a href=${"/jitsi/console/" + encodeURIComponent(g.jitsi_room)}>Open the Jitsi console</a>` : null}`}
      ${times ? html`<span class="when"> (${times})</span>` : null}
      ${g.role ? html`<span class="hint"> ${ROLE_TEXT[g.role]}</span>` : null}
    </li>`;
}
