// Harm-reduction agreements running in this meeting, in every facilitator's panel: a
// countdown while one runs, then "has ended: check in" until someone closes it. Rebuilt from
// the API on load and whenever the timeline says an agreement changed.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { ActButton } from "./button.js";
import { soundOn, tone } from "./sound.js";
import { clock } from "./words.js";

const MORE_MIN = 10;

function left(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function terms(a) {
  return [...a.terms, ...(a.note ? [a.note] : [])];
}

function Agreement({ a, now, ctx, reload }) {
  const name = ctx.clientName(a.client) || "a client";
  const base = ctx.path("/agreements/" + encodeURIComponent(a.id));
  const act = (path, body) => async () => { await ctx.must("POST", base + path, body); reload(); };
  const extend = html`<${ActButton} cls="extend" label=${"Add " + MORE_MIN + " minutes"} say=${ctx.say}
    aria=${"Add " + MORE_MIN + " minutes to the agreement with " + name}
    work=${act("/extend", { minutes: MORE_MIN })} />`;
  const list = html`<ul class="terms">${terms(a).map((t) => html`<li>${t}</li>`)}</ul>`;
  if (a.state === "due") {
    return html`<article class="alert agreement due" data-agreement=${a.id} role="alert">
      <h3>The ${a.minutes}-minute agreement with ${name} has ended: check in</h3>
      ${list}
      <div class="buttons">
        <${ActButton} cls="checked" label="Checked in: close it" say=${ctx.say}
          aria=${"Checked in: close it (the agreement with " + name + ")"}
          work=${act("/end", { how: "checked_in" })} />
        ${extend}</div>
    </article>`;
  }
  const remaining = a.ends_ms - now;
  return html`<article class="alert agreement" data-agreement=${a.id}
      aria-label=${"Agreement with " + name}>
    <h3>Agreement with ${name}</h3>
    <p class="countdown"><span class="left">${remaining > 0 ? left(remaining) : "0:00"}</span>
      ${remaining > 0 ? " left, until " + clock(a.ends_ms) : " time is up: check in"}</p>
    ${list}
    <p class="made">Made by ${a.made_by_name} at ${clock(a.made_ms)} for ${a.minutes} minutes</p>
    <div class="buttons">${extend}
      <${ActButton} cls="end" label="End it now" say=${ctx.say}
        aria=${"End it now (the agreement with " + name + ")"} work=${act("/end", { how: "early" })} /></div>
  </article>`;
}

export function Agreements({ now, ctx }) {
  const [list, setList] = useState([]);
  const [error, setError] = useState("");
  function reload() {
    ctx.must("GET", ctx.path("/agreements")).then((r) => { setList(r.agreements); setError(""); },
      (err) => setError("The agreements could not load: " + err.message));
  }
  useEffect(() => {
    reload();
    const heard = (e) => {
      const kind = String(e.detail.kind);
      if (kind.startsWith("agreement.")) reload();
      if (kind === "agreement.reminder" && document.hidden) {  // the tab says so, as alerts do
        document.title = "\u26a0 An agreement has ended: check in. Tether";
        if (soundOn()) tone();
      }
    };
    window.addEventListener("tether:entry", heard);
    return () => window.removeEventListener("tether:entry", heard);
  }, []);
  const open = list.filter((a) => a.state !== "ended");
  if (!open.length && !error) return null;
  return html`<div id="agreements">
    ${error ? html`<p class="error-line">${error}</p>` : null}
    ${open.filter((a) => a.state === "due").map((a) => html`<${Agreement} key=${a.id} a=${a} now=${now} ctx=${ctx} reload=${reload} />`)}
    ${open.filter((a) => a.state !== "due").map((a) => html`<${Agreement} key=${a.id} a=${a} now=${now} ctx=${ctx} reload=${reload} />`)}
  </div>`;
}
