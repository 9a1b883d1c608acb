// A client's attendance history on their record (for the clinical lead): each session's
// date, group, minutes present, check-in and drops in words, newest first.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";

function day(ms, zone) {
  return new Date(ms).toLocaleDateString([], { year: "numeric", month: "short",
    day: "numeric", timeZone: zone });
}

export function AttendanceHistory({ id }) {
  const [found, setFound] = useState(null);
  useEffect(() => {
    window.tetherAuth.call("GET", "/api/clients/" + encodeURIComponent(id) + "/attendance")
      .then(async (r) => setFound(r.ok ? await r.json() : { error: r.status }));
  }, [id]);
  if (!found) return html`<p>Loading the attendance history…</p>`;
  if (found.error) return null;  // not theirs to read: nothing to show
  const rows = found.sessions.map((s) => [s, s.clients[0]]).filter(([, c]) => c);
  return html`<section class="panel" aria-labelledby="attendance-title">
    <h3 id="attendance-title">Attendance</h3>
    ${rows.length ? html`<ul class="attendance">${rows.map(([s, c]) => html`<li key=${s.meeting}>
      ${day(s.started_ms, found.time_zone)}, ${s.group_name}: ${c.presence}. ${c.checkin}. ${c.drops_words}.</li>`)}</ul>`
      : html`<p class="hint">No sessions recorded yet.</p>`}
  </section>`;
}
