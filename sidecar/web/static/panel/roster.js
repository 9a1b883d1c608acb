// Who is in the meeting, one row each; a client who dropped comes first and stands out.
import { html } from "/static/vendor/preact-htm.js";
import { ActButton } from "./button.js";
import { PrivacyAnswers } from "./privacy.js";
import { IDENTITY, checkinWords, whereText } from "./words.js";

function Actions({ p, mine, dropped, ctx }) {
  const b = ctx.bridge;
  const out = [];
  const named = p.display_name || "this client";
  if (p.identity === "client" && p.status === "waiting") {
    if (mine.checked_in_at && b.admit) {
      out.push(html`<${ActButton} key="admit" cls="admit" label="Admit" done="admitted" say=${ctx.say}
        work=${() => b.admit({ participant: p.participant })} />`);
      if (b.deny) {
        out.push(html`<${ActButton} key="deny" cls="deny" label="Deny" done="denied" say=${ctx.say}
          work=${() => b.deny({ participant: p.participant })} />`);
      }
    } else if (!mine.checked_in_at) {
      out.push(html`<${ActButton} key="sms" cls="sms" label="Text check-in link" done="done: link texted"
        say=${ctx.say} work=${() => ctx.must("POST", ctx.path("/clients/" + encodeURIComponent(p.client) +
          "/checkin-link"), { send_sms: true })} />`);
    }
  }
  if (p.identity === "client") {
    out.push(html`<button key="screen" type="button" class="screen" aria-label=${"Safety check for " + named}
      onClick=${() => ctx.openIncident(p.client, "clinician")}>Safety check</button>`);
  }
  if (p.identity === "client" && p.client && ctx.calm) {  // calming tools (panel/calm.js)
    out.push(html`<button key="calm" type="button" class="calm" aria-label=${"Calm & ground " + named}
      onClick=${() => ctx.calm(p.client)}>Calm & ground</button>`);
  }
  if (p.identity === "client" && ctx.sendPlan) {  // plan links (sidecar/plan)
    out.push(html`<button key="plan" type="button" class="send-plan-open"
      aria-label=${"Send safety plan to " + named + " or their caregivers"}
      onClick=${() => ctx.sendPlan(p.client)}>Send safety plan</button>`);
  }
  if (p.identity === "client" && p.status === "present" && b.startTriage) {
    out.push(html`<button key="triage" type="button" class="triage" aria-label=${"Take " + named + " to a 1:1 room"}
      onClick=${(e) => ctx.triage(e, p.participant)}>1:1</button>`);
  }
  if (p.identity === "client" && dropped) {
    out.push(html`<${ActButton} key="emergency" cls="danger emergency" label="Start emergency protocol"
      done="emergency protocol started" say=${ctx.say}
      work=${() => ctx.emergency(p.client, "disconnect: dropped off the call")} />`);
  }
  return out.length ? html`<span class="actions">${out}</span>` : null;
}

function Link({ p, clients, ctx }) {
  if (p.identity !== "unknown" || !clients.length) return null;
  const label = "Who is " + (p.display_name || "this participant") + "?";
  return html`<select class="link" aria-label=${label}
      onChange=${(e) => e.target.value && ctx.link(p.participant, e.target.value)}>
    <option value="">This is…</option>
    ${clients.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
  </select>`;
}

export function Roster({ people, checkins, clients, ladders, ctx }) {
  const open = new Set(Object.values(ladders).filter((l) => !l.end || l.responders)
    .map((l) => l.participant));
  const rows = Object.values(people).sort((a, b) =>
    (open.has(b.participant) - open.has(a.participant)) ||
    String(a.display_name).localeCompare(String(b.display_name)));
  // Zoom names a breakout room only by its uuid: number the rooms in use the same way in
  // every panel, so "breakout room 2" means the same room to the whole team.
  const rooms = Array.from(new Set(rows.filter((p) => p.room).map((p) => p.room))).sort();
  return html`<table id="roster">
    <caption class="visually-hidden">Participants</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Who</th><th scope="col">Status</th>
      <th scope="col">Check-in</th></tr></thead>
    <tbody>${rows.map((p) => {
      const mine = (p.client && checkins[p.client]) || {};
      const dropped = open.has(p.participant);
      return html`<tr key=${p.participant} data-participant=${p.participant}
          class=${p.status + (dropped ? " dropped" : "")}>
        <td class="person"><span class="name">${p.display_name || "(no name)"}</span>
          ${dropped ? html` <strong class="flag">dropped: see the alert</strong>` : null}
          <${Actions} p=${p} mine=${mine} dropped=${dropped} ctx=${ctx} /></td>
        <td class="who"><span class="badge">${IDENTITY[p.identity] || IDENTITY.unknown}</span>
          ${" "}<${Link} p=${p} clients=${clients} ctx=${ctx} /></td>
        <td class="status">${whereText(p, p.room ? rooms.indexOf(p.room) + 1 : 0)}</td>
        <td class=${"checkin" + (mine.stale ? " stale" : "")}>${p.identity === "client" ? checkinWords(mine) : ""}
          ${p.identity === "client" ? html`<${PrivacyAnswers} answers=${mine.privacy} />` : null}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}
