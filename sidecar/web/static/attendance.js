// The attendance report: a group's sessions in a date range, each client's minutes present,
// check-in and drops in plain words, names from the client records. Text only (htm).
import { html, render, useEffect, useState } from "/static/vendor/preact-htm.js";

const auth = window.tetherAuth;
const query = new URLSearchParams(window.location.search);

function clock(ms, zone) {
  return ms ? new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit",
    timeZone: zone }) : "";
}
function longDay(ms, zone) {
  return new Date(ms).toLocaleDateString([], { weekday: "long", year: "numeric",
    month: "long", day: "numeric", timeZone: zone });
}
function isoDay(d) { return d.toISOString().slice(0, 10); }

function Times({ row, zone }) {
  if (!row.joined_ms) return html`<span class="absent">Not there</span>`;
  return row.left_ms ? `${clock(row.joined_ms, zone)} to ${clock(row.left_ms, zone)}`
    : `${clock(row.joined_ms, zone)}, still there`;
}

function Session({ s, zone }) {
  const title = `${s.group_name}, ${longDay(s.started_ms, zone)}`;
  const came = s.clients.filter((c) => c.joined_ms).length;
  return html`<section aria-labelledby=${"s-" + s.meeting}>
    <h2 id=${"s-" + s.meeting}>${title}</h2>
    <p class="summary">${clock(s.started_ms, zone)} to ${s.running ? "now" : clock(s.ended_ms, zone)}
      ${" "}(${s.session_minutes} minutes) · ${came} of ${s.clients.length} clients came
      ${s.running ? html` <span class="running">Running now</span>` : null}</p>
    <div class="table-scroll" role="region" aria-label=${title} tabindex="0">
      <table class="clients"><caption>${title}</caption>
        <thead><tr><th scope="col">Client</th><th scope="col">Attendance</th>
          <th scope="col">Joined and left</th><th scope="col">Check-in</th>
          <th scope="col">Drops</th></tr></thead>
        <tbody>${s.clients.map((c) => html`<tr key=${c.client}>
          <th scope="row">${c.name}${c.expected ? "" : " (not expected)"}</th>
          <td data-label="Attendance">${c.presence}</td>
          <td data-label="Joined and left"><${Times} row=${c} zone=${zone} /></td>
          <td data-label="Check-in">${c.checkin}. ${c.location}.${c.checked_in_ms ? " " + c.callback + "." : ""}</td>
          <td data-label="Drops">${c.drops_words}</td></tr>`)}</tbody>
      </table></div></section>`;
}

function Report({ groups, zone }) {
  const today = new Date();
  const [choice, setChoice] = useState({
    group: query.get("group") || (groups[0] ? groups[0].group : ""),
    from: query.get("from") || isoDay(new Date(today.getTime() - 30 * 864e5)),
    to: query.get("to") || isoDay(today) });
  const [report, setReport] = useState(null);
  const [problem, setProblem] = useState("");
  async function load(c) {
    const q = new URLSearchParams(c).toString();
    window.history.replaceState(null, "", "/attendance?" + q);
    const r = await auth.call("GET", "/api/attendance?" + q);
    if (!r.ok) { setReport(null); setProblem((await r.text()) || "The report could not be read"); return; }
    setProblem("");
    setReport(await r.json());
    window.tetherAttendanceReady = true;
  }
  useEffect(() => { if (choice.group) load(choice); }, []);
  const set = (k) => (e) => setChoice({ ...choice, [k]: e.currentTarget.value });
  const submit = (e) => { e.preventDefault(); load(choice); };
  const csv = "/api/attendance.csv?" + new URLSearchParams(choice).toString();
  return html`<h1>Attendance</h1>
    <form class="choose" onSubmit=${submit}>
      <label>Group<select value=${choice.group} onChange=${set("group")}>
        ${groups.map((g) => html`<option value=${g.group}>${g.name}</option>`)}</select></label>
      <label>From<input type="date" value=${choice.from} onChange=${set("from")} /></label>
      <label>To<input type="date" value=${choice.to} onChange=${set("to")} /></label>
      <button type="submit">Show attendance</button>
    </form>
    <p role="status">${problem}</p>
    ${report ? html`<p class="csv"><a href=${csv} download>Download as a spreadsheet (CSV)</a></p>
      ${report.sessions.length ? report.sessions.map((s) => html`<${Session} key=${s.meeting} s=${s} zone=${zone} />`)
        : html`<p>No sessions of ${report.group_name} between these dates.</p>`}` : null}`;
}

async function start() {
  await auth.whoami();
  const main = document.getElementById("attendance");
  const r = await auth.call("GET", "/api/attendance/groups");
  if (!r.ok) {
    render(html`<h1>Attendance</h1><p>${r.status === 403 ? "Attendance is for the group's " +
      "clinicians and the clinical lead." : "The report could not be opened."}</p>`, main);
    return;
  }
  const { groups, time_zone } = await r.json();
  main.replaceChildren();
  render(html`<${Report} groups=${groups} zone=${time_zone} />`, main);
}

start().catch((err) => {
  document.getElementById("attendance").textContent = "Error: " + err.message;
});
