// /incidents/{id}: one incident on a page of its own, for a clinician outside the meeting
// (an on-call clinician texted "the dispatch card is in the Tether panel"). The group's and
// the client's names in the header; the incident view below, reloaded whenever the
// meeting's live stream carries an entry about this incident.
import { html, render, useEffect, useState } from "/static/vendor/preact-htm.js";
import { IncidentView } from "/static/panel/incident.js";

const enc = encodeURIComponent;
const id = decodeURIComponent(window.location.pathname.split("/")[2] || "");
const ABOUT_INCIDENTS = ["incident.opened", "incident.screened", "incident.checked",
  "incident.closed", "emergency.started", "emergency.step", "emergency.contact",
  "alert.followup_overdue", "alert.checkin_due", "incident.checkin_scheduled",
  "incident.checkin_outcome",
  "incident.checkin_moved", "incident.checkin_cancelled"];

async function api(method, path, body) {
  const response = await window.tetherAuth.call(method, path, body);
  const text = await response.text();
  let data;
  try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
  return { ok: response.ok, status: response.status, data: data };
}

// The stream from the meeting's latest entry on: each entry about this incident bumps the
// version, and the view reloads it from the API.
function follow(meeting, bump, setConn) {
  let source = null;
  let poll = null;
  api("GET", "/api/meetings/" + enc(meeting) + "/timeline").then(function (r) {
    if (r.status === 403) {  // opened by break-glass: this client only, not the group's stream
      setConn("updated every 10 s");
      poll = setInterval(bump, 10000);
      return;
    }
    const entries = r.ok ? r.data.entries : [];
    const last = entries.length ? entries[entries.length - 1].id : "0-0";
    source = new EventSource("/api/meetings/" + enc(meeting) + "/stream?last_event_id=" +
      enc(last));
    source.onopen = function () { setConn("live"); };
    source.onerror = function () { setConn("reconnecting"); };
    for (const kind of ABOUT_INCIDENTS) {
      source.addEventListener(kind, function (event) {
        const data = (JSON.parse(event.data).data) || {};
        if (data.incident === id) bump();
      });
    }
    source.addEventListener("signed_out", function () {
      source.close();
      window.tetherAuth.ended("your session ended");
    });
  });
  return function () {
    if (source) source.close();
    if (poll) clearInterval(poll);
  };
}

function Page({ me, people }) {
  const [version, setVersion] = useState(0);
  const [conn, setConn] = useState("connecting");
  useEffect(function () {
    return follow(people.meeting, function () { setVersion(function (v) { return v + 1; }); },
      setConn);
  }, []);
  useEffect(function () { document.getElementById("conn").textContent = conn; }, [conn]);
  const ctx = {
    api: api, me: me, meeting: people.meeting,
    clientName: function (client) {
      return client === people.client.id ? people.client.name : client;
    },
    staffName: function (staff) { return people.staff[staff] || "a colleague"; },
    onClosed: function () {},
  };
  return html`<${IncidentView} id=${id} ctx=${ctx} version=${version} />`;
}

// A clinician refused because the client is not in a group they care for may open them in
// an emergency, saying why: for an hour, on the record, and the clinical lead is told.
function BreakGlass({ onOpened }) {
  const [reason, setReason] = useState("");
  const [said, setSaid] = useState("");
  async function open(event) {
    event.preventDefault();
    const r = await api("POST", "/api/break-glass", { incident: id, reason: reason });
    if (r.ok) return onOpened();
    const errors = r.data.errors || [r.data.error || ("HTTP " + r.status)];
    setSaid(errors.map(function (e) { return String(e).replace(/^reason: /, ""); }).join(" "));
  }
  return html`<form class="break-glass" onSubmit=${open}>
    <p>This client is not in a group you care for. In an emergency you may open their
      record for one hour. It is recorded with your reason, and the clinical lead is told.</p>
    <label for="bg-reason">Why do you need this client's record now?</label>
    <textarea id="bg-reason" rows="3" maxlength="500" aria-describedby="bg-said"
      value=${reason} onInput=${function (e) { setReason(e.target.value); }}></textarea>
    <p id="bg-said" role="alert">${said}</p>
    <button type="submit">Open by break-glass</button>
  </form>`;
}

async function start() {
  const root = document.getElementById("incident");
  const me = await window.tetherAuth.whoami();
  const r = await api("GET", "/api/incidents/" + enc(id) + "/people");
  if (r.status === 403 && String(r.data.error).includes("break-glass")) {
    root.replaceChildren();
    render(html`<${BreakGlass} onOpened=${function () { render(null, root); start(); }} />`,
      root);
    return;
  }
  if (!r.ok) {
    root.textContent = r.status === 404 ? "There is no such incident." :
      "This incident could not be opened: " + (r.data.error || r.status);
    return;
  }
  const people = r.data;
  document.title = people.client.name + ": incident";
  document.getElementById("title").textContent = people.client.name;
  document.getElementById("group").textContent = people.group;
  root.replaceChildren();
  render(html`<${Page} me=${me} people=${people} />`, root);
}

start();
