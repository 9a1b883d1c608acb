// "Calm & ground" for one client: the program's words to read aloud, a paced grounding
// exercise (with a page of its own to share on screen, no names on it), small steps, and a
// harm-reduction agreement. Each one used is recorded for the client (the meeting's
// timeline, and their open incident if any).
import { html, useEffect, useLayoutEffect, useRef, useState } from "/static/vendor/preact-htm.js";
import { AgreementForm } from "./agreement-form.js";
import { sharedHash } from "./pacer.js";
import { PacedButtons, PacedView, usePaced } from "./timer.js";

let tools = null;  // the program's tools, loaded once per page
function loadTools(ctx) {
  if (!tools) tools = ctx.must("GET", "/api/deescalation").catch((err) => { tools = null; throw err; });
  return tools;
}

const TABS = [["say", "What to say"], ["breathe", "Breathe & ground"], ["steps", "Small steps"],
  ["agree", "Agreement"]];

// "Said it" records the script for the client; its name says which script
function Record({ label, title, work, said }) {
  const [state, setState] = useState("ready");
  const words = state === "done" ? "Recorded" : label;
  return html`<button type="button" class="used" disabled=${state === "busy"}
    aria-label=${words + ": " + title} onClick=${async () => {
      setState("busy");
      try { await work(); setState("done"); } catch (err) { setState("ready"); said(err.message); }
    }}>${words}</button>`;
}

function Scripts({ items, kind, done, record, said }) {
  return html`<ul class="scripts">${items.map((s) => html`<li key=${s.title}>
    <h4>${s.title}</h4><p class="read-aloud">${s.text}</p>
    <${Record} label=${done} title=${s.title} said=${said}
      work=${() => record({ kind: kind, title: s.title })} /></li>`)}
  </ul>`;
}

function Paced({ ex, record, running }) {
  const paced = usePaced(ex, (rounds) => record({ kind: "grounding", title: ex.title, rounds: rounds }));
  useEffect(() => running(paced.running), [paced.running]);
  return html`${ex.say ? html`<p class="read-aloud">${ex.say}</p>` : null}
    <p class="pace">${ex.steps.map((s) => s.words + " " + s.seconds + " s").join(" · ")}, ${ex.rounds}
      ${ex.rounds === 1 ? " round" : " rounds"}</p>
    <${PacedView} ex=${ex} paced=${paced} idPrefix="calm" />
    <${PacedButtons} paced=${paced}
      onStop=${(rounds) => record({ kind: "grounding", title: ex.title, rounds: rounds })} />`;
}

function Breathe({ list, record }) {
  const [chosen, setChosen] = useState(0);
  const [running, setRunning] = useState(false);
  const ex = list[Math.min(chosen, list.length - 1)];
  return html`<div class="breathe">
    <label for="calm-exercise">Exercise</label>
    <select id="calm-exercise" value=${chosen} disabled=${running}
      onChange=${(e) => setChosen(Number(e.currentTarget.value))}>
      ${list.map((x, n) => html`<option value=${n}>${x.title}</option>`)}</select>
    <${Paced} key=${chosen} ex=${ex} record=${record} running=${setRunning} />
    <p class="share"><a href=${"/grounding" + sharedHash(ex)} target="_blank" rel="noopener"
      id="calm-share">Open the timer on its own page to share on screen</a>
      <span class="hint">It shows only the timer, no names: share that window with the
      meeting's screen share.</span></p>
  </div>`;
}

export function CalmSheet({ client, ctx, close }) {
  const [got, setGot] = useState(null);
  const [tab, setTab] = useState("say");
  const [said, setSaid] = useState("");
  const heading = useRef(null);
  const name = ctx.clientName(client) || "this client";
  useEffect(() => {
    loadTools(ctx).then(setGot, (err) => setSaid("The calming tools could not load: " + err.message));
  }, []);
  useLayoutEffect(() => { if (heading.current) heading.current.focus(); }, [client]);
  async function record(body) {
    const r = await ctx.must("POST", ctx.path("/clients/" + encodeURIComponent(client) +
      "/calming-uses"), body);
    setSaid(r.recorded + " (recorded for " + name + ")");
  }
  const tabs = html`<div class="calm-tabs" role="group" aria-label="Kind of tool">
    ${TABS.map(([k, label]) => html`<button type="button" key=${k} aria-pressed=${tab === k ? "true" : "false"}
      onClick=${() => setTab(k)}>${label}</button>`)}</div>`;
  return html`<section id="calm" class="calm-sheet" aria-labelledby="calm-title">
    <div class="calm-head"><h2 id="calm-title" tabindex="-1" ref=${heading}>Calm & ground: ${name}</h2>
      <button type="button" class="close" onClick=${close}>Close</button></div>
    ${tabs}
    ${!got ? html`<p>Loading the calming tools…</p>` : null}
    ${got && tab === "say" ? html`<${Scripts} items=${got.name_and_normalise} kind="name_and_normalise"
      done="Said it" record=${record} said=${setSaid} />` : null}
    ${got && tab === "breathe" && got.grounding.length ? html`<${Breathe} list=${got.grounding}
      record=${(b) => record(b).catch((err) => setSaid(err.message))} />` : null}
    ${got && tab === "breathe" && !got.grounding.length ? html`<p>The program has no grounding
      exercises yet.</p>` : null}
    ${got && tab === "steps" ? html`<${Scripts} items=${got.targets} kind="targets"
      done="Agreed on it" record=${record} said=${setSaid} />` : null}
    ${got && tab === "agree" ? html`<${AgreementForm} client=${client} name=${name} tools=${got}
      ctx=${ctx} said=${setSaid} />` : null}
    <p class="calm-said" role="status">${said}</p>
  </section>`;
}
