// Calm & ground: the program's words to read aloud, its paced grounding exercises, small
// behavioural targets, and the agreement form's quick picks (the `deescalation` part of
// the policies document; policies.js saves it, with the other policies).
import { html } from "/static/vendor/preact-htm.js";
import { ListInput, NumberInput, focusSoon } from "./configform.js";
import { TextInput, fieldId } from "./fields.js";

const id = (path) => fieldId("policies", "deescalation." + path);
const KINDS = [["name_and_normalise", "Name and normalise", "Said to acknowledge what the client feels and that it makes sense."],
  ["targets", "Small behavioural targets", "One small thing the client can do now."]];

function Scripts({ kind, legend, hint, items, ctx }) {
  const at = (n, f) => kind + "." + n + "." + f;
  const set = (next) => ctx.set(["deescalation", kind], next);
  const change = (n, patch) => set(items.map((s, k) => (k === n ? { ...s, ...patch } : s)));
  return html`<fieldset class="row" id=${id(kind)} tabindex="-1"><legend>${legend}</legend>
    <p class="hint">${hint}</p>
    ${items.map((s, n) => html`<div class="script" key=${n}>
      <${TextInput} id=${id(at(n, "title"))} label=${"Title " + (n + 1)} value=${s.title}
        error=${ctx.err("deescalation." + at(n, "title"))} onInput=${(v) => change(n, { title: v })} />
      <${TextInput} id=${id(at(n, "text"))} label=${"Words to read aloud " + (n + 1)} rows=${3}
        value=${s.text} error=${ctx.err("deescalation." + at(n, "text"))}
        hint="600 characters at most." onInput=${(v) => change(n, { text: v })} />
      <button type="button" class="remove" onClick=${() => set(items.filter((_, k) => k !== n))}>
        Remove “${s.title || "this one"}”</button></div>`)}
    <p><button type="button" onClick=${() => { set([...items, { title: "", text: "" }]);
      focusSoon(id(at(items.length, "title"))); }}>Add one</button></p>
  </fieldset>`;
}

function Steps({ n, ex, ctx, change }) {
  const path = (k, f) => "grounding." + n + ".steps." + k + "." + f;
  const steps = ex.steps || [];
  const setSteps = (next) => change({ steps: next });
  return html`<ol class="paced-steps">${steps.map((s, k) => html`<li key=${k}><div class="inline">
      <${TextInput} id=${id(path(k, "words"))} label=${"Step " + (k + 1) + ": words shown"}
        value=${s.words} error=${ctx.err("deescalation." + path(k, "words"))}
        onInput=${(v) => setSteps(steps.map((x, j) => (j === k ? { ...x, words: v } : x)))} />
      <${NumberInput} id=${id(path(k, "seconds"))} label="Seconds" value=${s.seconds}
        error=${ctx.err("deescalation." + path(k, "seconds"))} hint="1 to 120"
        onChange=${(v) => setSteps(steps.map((x, j) => (j === k ? { ...x, seconds: v } : x)))} />
      <button type="button" class="remove" disabled=${steps.length === 1}
        onClick=${() => setSteps(steps.filter((_, j) => j !== k))}>Remove ${s.words ? "\u201c" + s.words + "\u201d" : "this"} (step ${k + 1}) from ${ex.title || "this exercise"}</button>
    </div></li>`)}
    <li class="add"><button type="button" onClick=${() => { setSteps([...steps, { words: "", seconds: 4 }]);
      focusSoon(id(path(steps.length, "words"))); }}>Add a step to ${ex.title || "this exercise"}</button></li>
  </ol>`;
}

function Exercises({ items, ctx }) {
  const set = (next) => ctx.set(["deescalation", "grounding"], next);
  const change = (n, patch) => set(items.map((x, k) => (k === n ? { ...x, ...patch } : x)));
  const at = (n, f) => "grounding." + n + "." + f;
  return html`<fieldset class="row" id=${id("grounding")} tabindex="-1"><legend>Breathing and grounding</legend>
    <p class="hint">Each exercise is paced: the panel shows each step's words large, for its
      seconds, round after round. Box breathing is in 4, hold 4, out 4, hold 4.</p>
    ${items.map((ex, n) => html`<fieldset class="exercise" key=${n} id=${id("grounding." + n)} tabindex="-1">
      <legend>${ex.title || "A new exercise"}</legend>
      ${ctx.fields["deescalation.grounding." + n + ".steps"] ? html`<p class="field-error">
        ${ctx.fields["deescalation.grounding." + n + ".steps"]}</p>` : null}
      <div class="inline">
        <${TextInput} id=${id(at(n, "title"))} label="Title" value=${ex.title}
          error=${ctx.err("deescalation." + at(n, "title"))} onInput=${(v) => change(n, { title: v })} />
        <${NumberInput} id=${id(at(n, "rounds"))} label="Rounds" value=${ex.rounds} hint="1 to 20"
          error=${ctx.err("deescalation." + at(n, "rounds"))} onChange=${(v) => change(n, { rounds: v })} />
      </div>
      <${TextInput} id=${id(at(n, "say"))} label="What to say first" rows=${2} value=${ex.say} optional
        error=${ctx.err("deescalation." + at(n, "say"))} onInput=${(v) => change(n, { say: v })} />
      <${Steps} n=${n} ex=${ex} ctx=${ctx} change=${(patch) => change(n, patch)} />
      <button type="button" class="remove" onClick=${() => set(items.filter((_, k) => k !== n))}>
        Remove the exercise “${ex.title || "new"}”</button>
    </fieldset>`)}
    <p><button type="button" onClick=${() => { set([...items, { title: "", say: "", rounds: 1,
      steps: [{ words: "Breathe in", seconds: 4 }, { words: "Breathe out", seconds: 6 }] }]);
      focusSoon(id(at(items.length, "title"))); }}>Add an exercise</button></p>
  </fieldset>`;
}

export function Deescalation({ p, ctx }) {
  return html`<fieldset class="policy" id=${fieldId("policies", "deescalation")} tabindex="-1">
    <legend>Calm & ground: de-escalation tools in the panel</legend>
    <p class="hint">What the lead reads aloud, paces and agrees with a client in crisis, from
      the “Calm & ground” button on a client's row. Keep each one short.</p>
    ${ctx.fields.deescalation ? html`<p class="field-error">${ctx.fields.deescalation}</p>` : null}
    <${Scripts} kind=${KINDS[0][0]} legend=${KINDS[0][1]} hint=${KINDS[0][2]}
      items=${p.name_and_normalise || []} ctx=${ctx} />
    <${Exercises} items=${p.grounding || []} ctx=${ctx} />
    <${Scripts} kind=${KINDS[1][0]} legend=${KINDS[1][1]} hint=${KINDS[1][2]}
      items=${p.targets || []} ctx=${ctx} />
    <fieldset class="row"><legend>Harm-reduction agreements</legend>
      <${ListInput} id=${id("agreement_terms")} label="Quick picks on the agreement form"
        value=${p.agreement_terms} error=${ctx.err("deescalation.agreement_terms")}
        hint="One a line, like “Stay on video together”." onChange=${(v) => ctx.set(["deescalation", "agreement_terms"], v)} />
      <${NumberInput} id=${id("agreement_minutes")} label="Usual length (minutes)"
        value=${p.agreement_minutes} error=${ctx.err("deescalation.agreement_minutes")} hint="1 to 240"
        onChange=${(v) => ctx.set(["deescalation", "agreement_minutes"], v)} />
    </fieldset>
  </fieldset>`;
}
