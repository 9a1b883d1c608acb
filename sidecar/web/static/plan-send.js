// "Send safety plan" for one client, on the panel (a roster row, an open incident) and on
// the admin page (the client's record): whom a page can go to and what each page will hold,
// in a sentence; the client's links with how their text went, their opens, and withdraw.
//
// Exports:
//   PlanSend({ client, name, base, call, id, onClose, focus }): base is "/api/clients"
//   (panel) or "/api/admin/clients" (admin); call(method, path, body) -> { ok, status, data,
//   text }; onClose: a "Close" button; focus: its heading takes the focus when it opens.
import { html, useEffect, useRef, useState } from "/static/vendor/preact-htm.js";

const SEND = { sending: "Sending the text…", retrying: "Not sent yet: the phone service " +
  "did not take it, Tether keeps trying", sent: "Texted", failed: "Not sent", not_sent: "Not sent" };
const STATE = { active: "Open", expired: "Expired", revoked: "Withdrawn" };
const MAIL = { sending: "E-mailing…", retrying: "E-mail not sent yet: Tether keeps trying",
  sent: "E-mailed", failed: "E-mail not sent" };
const POLL_MS = 1500;

function sentence(r) {
  const d = r.data || {};
  const said = d.error || (Array.isArray(d.errors) && d.errors.join(" ")) || r.text || "";
  if (r.status === 0) return "Tether could not be reached: check the connection and try again.";
  if (said && said.length < 300 && !said.startsWith("<")) return said.charAt(0).toUpperCase() + said.slice(1);
  return "Tether answered " + r.status + ": please try again.";
}

const day = (ms) => new Date(ms).toLocaleDateString([], { day: "numeric", month: "short" });

function Recipient({ r, id, on, toggle }) {
  const box = id + "-to-" + r.id;
  const who = r.name + (r.relation ? " (" + r.relation + ")" : "");
  return html`<div class="recipient">
    <label for=${box}><input type="checkbox" id=${box} checked=${on} disabled=${!r.can_send}
      aria-describedby=${box + "-says"} onChange=${(e) => toggle(r.id, e.currentTarget.checked)} />
      ${" " + who}</label>
    <p class="hint" id=${box + "-says"}>${r.says}</p>
  </div>`;
}

function LinkLine({ l, revoke, busy }) {
  const sendWords = l.state === "active" || l.send === "failed" ? SEND[l.send] || l.send : null;
  return html`<li class=${"plan-link " + l.state + " send-" + l.send} data-link=${l.id}>
    <span class="who">${l.name}</span>
    <span class="how">${[STATE[l.state] || l.state, sendWords,
      l.mail && (l.state === "active" || l.mail === "failed") ? MAIL[l.mail] || l.mail : null,
      l.state === "active" ? "until " + day(l.expires_at) : null, l.seen].filter(Boolean).join(" · ")}</span>
    ${l.note ? html`<span class="note">${l.note}</span>` : null}
    ${l.mail_note ? html`<span class="note">${l.mail_note}</span>` : null}
    ${l.state === "active" ? html`<button type="button" class="withdraw" disabled=${busy}
      aria-label=${"Withdraw the link sent to " + l.name + " on " + day(l.created_at)}
      onClick=${() => revoke(l.id)}>Withdraw</button>` : null}
  </li>`;
}

export function PlanSend({ client, name, base, call, id, onClose, focus }) {
  const path = base + "/" + encodeURIComponent(client) + "/plan-links";
  const [data, setData] = useState(null);
  const [chosen, setChosen] = useState([]);
  const [said, setSaid] = useState("");
  const [busy, setBusy] = useState(false);
  const heading = useRef(null);
  async function load() {
    const r = await call("GET", path);
    if (r.ok) setData(r.data); else setSaid(sentence(r));
  }
  useEffect(() => { load(); }, [client]);
  useEffect(() => {
    if (focus && heading.current) {
      heading.current.focus();
      heading.current.scrollIntoView({ block: "start" });
    }
  }, [client, !!data]);
  useEffect(() => {  // while a text is on its way, its line says how it went
    const moving = (x) => x === "sending" || x === "retrying";
    if (!data || !data.links.some((l) => moving(l.send) || moving(l.mail))) return undefined;
    const t = setTimeout(load, POLL_MS);
    return () => clearTimeout(t);
  }, [data]);
  async function work(method, to, body, done) {
    setBusy(true);
    setSaid("");
    const r = await call(method, to, body);
    setBusy(false);
    if (!r.ok) return setSaid(sentence(r));
    setSaid(done(r.data));
    return load();
  }
  const names = (ids) => ids.map((x) => (data.recipients.find((r) => r.id === x) || {}).name).join(" and ");
  const send = () => work("POST", path, { people: chosen }, () => {
    const to = names(chosen);
    setChosen([]);
    return "Sending to " + to + ". The list below says when each text has gone.";
  });
  const revoke = (link) => work("POST", path + "/revoke", link ? { link } : {}, (d) =>
    d.revoked ? (link ? "Withdrawn: that link no longer opens." : "Withdrawn: " + d.revoked +
      (d.revoked === 1 ? " link" : " links") + " no longer open.") : "Nothing to withdraw.");
  const toggle = (who, on) => setChosen((c) => (on ? [...c, who] : c.filter((x) => x !== who)));
  const title = id + "-title";
  const h = html`<h3 id=${title} tabindex="-1" ref=${heading}>Send safety plan: ${name}</h3>`;
  const close = onClose ? html`<p><button type="button" class="close-plan" onClick=${onClose}>
    Close</button></p>` : null;
  if (!data) return html`<section class="plan-send" id=${id} aria-labelledby=${title}>
    ${h}<p role="status">${said || "Loading…"}</p>${close}</section>`;
  const active = data.links.filter((l) => l.state === "active");
  return html`<section class="plan-send" id=${id} aria-labelledby=${title}>
    ${h}
    <p class="hint">Each person gets a text with a link to their own page. A caregiver's page
      holds only what ${name} agreed to share. Links open for ${data.expire_days} days; every
      open is recorded.</p>
    <fieldset class="recipients"><legend>Send to</legend>
      ${data.recipients.map((r) => html`<${Recipient} key=${r.id} r=${r} id=${id}
        on=${chosen.includes(r.id)} toggle=${toggle} />`)}
    </fieldset>
    <p><button type="button" class="send-plan" disabled=${busy || !chosen.length}
      onClick=${send}>Send safety plan</button></p>
    <p class="said" role="status">${said}</p>
    <h4>Links sent</h4>
    ${data.links.length ? html`<ul class="plan-links">${data.links.map((l) => html`<${LinkLine}
      key=${l.id} l=${l} revoke=${revoke} busy=${busy} />`)}</ul>`
      : html`<p class="hint">No links sent yet.</p>`}
    ${active.length > 1 ? html`<p><button type="button" class="withdraw-all" disabled=${busy}
      onClick=${() => revoke("")}>Withdraw all of ${name}'s links</button></p>` : null}
    ${close}
  </section>`;
}
