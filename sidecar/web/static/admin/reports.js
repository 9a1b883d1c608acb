// What happened: break-glass openings (a clinician opened a client outside their groups)
// and the incident figures with their CSV (no PHI).
import { html, useState } from "/static/vendor/preact-htm.js";
import { useDoc } from "./doc.js";

export function BreakGlassSection() {
  const doc = useDoc("/api/admin/break-glass");
  const rows = (doc.data && doc.data.openings) || [];
  return html`<h2>Emergency access outside a clinician's groups (break-glass)</h2>
    <p class="hint">A clinician opened a client outside their groups in an emergency. Each
      opening lasts a limited time, is on the audit record, and is texted to the clinical lead.</p>
    ${doc.status === "error" ? html`<p class="error-line">${doc.error}</p>` : null}
    ${doc.status === "loading" ? html`<p>Loading…</p>` : html`<ul id="breakglass">
      ${rows.map((o, i) => html`<li key=${i}><strong>${o.staff_name} opened ${o.client_name}</strong>
        ${" "}on ${new Date(o.at).toLocaleString()} (${o.open ? "open until " +
          new Date(o.until).toLocaleTimeString() : "ended"}). Reason given: ${o.reason}</li>`)}
      ${rows.length ? null : html`<li>None in the last 30 days.</li>`}</ul>`}`;
}

function seconds(spread) {
  if (!spread || !spread.count) return "none yet";
  return "median " + Math.round(spread.p50) + " s, 90th percentile " + Math.round(spread.p90) +
    " s, longest " + Math.round(spread.max) + " s (" + spread.count + ")";
}

function counts(map) {
  const keys = Object.keys(map || {});
  return keys.length ? keys.map((k) => k.replace(/_/g, " ") + " " + map[k]).join(", ") : "none";
}

async function downloadCsv(say) {
  say("Making the CSV…");
  const response = await window.tetherAuth.call("GET", "/api/admin/incidents.csv");
  if (!response.ok) { say("The CSV could not be made (Tether answered " + response.status + ")."); return; }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = "tether-incidents.csv";
  link.click();
  say("The CSV is downloaded.");
}

export function IncidentsSection() {
  const doc = useDoc("/api/admin/incident-stats");
  const [status, setStatus] = useState("");
  const s = doc.data;
  const rows = s ? [["Incidents", s.incidents + " (" + s.open + " open, " + s.emergencies + " emergencies)"],
    ["By trigger", counts(s.by_trigger)], ["By level", counts(s.by_level)],
    ["Disconnect to first call", seconds(s.disconnect_to_first_call_s)],
    ["Emergency to responders called", seconds(s.emergency_to_responders_s)],
    ["Follow-ups overdue", String(s.followups_overdue)]] : [];
  return html`<h2>Incidents</h2>
    ${doc.status === "error" ? html`<p class="error-line">${doc.error}</p>` : null}
    <dl id="incident-stats">${rows.map(([k, v]) => html`<dt key=${k + "t"}>${k}</dt><dd key=${k}>${v}</dd>`)}</dl>
    <p><button id="incidents-csv" type="button" onClick=${() => downloadCsv(setStatus)}>Download the CSV (no PHI)</button>
      ${" "}<span role="status">${status}</span></p>`;
}
