// Who is on call now (a shift, or everyone with the on-call role), and the schedule.
import { html } from "/static/vendor/preact-htm.js";
import { useDoc } from "./doc.js";
import { phone } from "./words.js";

// "2027-01-15T02:00-06:00" -> "02:00 on 2027-01-15", the program's own clock
function when(local) {
  const [day, rest] = String(local).split("T");
  return rest ? rest.slice(0, 5) + " on " + day : local;
}

export function OnCallNow() {
  const doc = useDoc("/api/admin/oncall");
  if (doc.status === "loading") return html`<h2>On call now</h2><p>Loading who is on call…</p>`;
  if (doc.status === "error") return html`<h2>On call now</h2><p class="error-line">${doc.error}</p>`;
  const d = doc.data;
  return html`<h2>On call now</h2>
    <ul id="oncall">${d.on_call_now.map((s) => html`<li key=${s.id}>${s.name} — ${phone(s.phone)}</li>`)}</ul>
    ${d.on_call_now.length ? null : html`<p>Nobody is on call now.</p>`}
    <p id="oncall-source" class="hint">${d.source === "schedule" ? "From the on-call schedule"
      : "No shift covers now: everyone with the on-call role"} (${when(d.local_time)}, ${d.time_zone}).</p>
    <details><summary>The schedule</summary><ul id="schedule">
      ${d.schedule.map((s, i) => html`<li key=${i}>${s.name}: ${s.days.join(", ")} ${s.start}–${s.end}</li>`)}
      ${d.schedule.length ? null : html`<li>No shifts in the schedule.</li>`}
    </ul></details>`;
}
