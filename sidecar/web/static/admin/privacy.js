// Policies > Privacy prompts: what clients are asked (or reminded of) before a video group,
// in their order, and the recording statement clients see while Tether stops recordings.
// Part of the policies document: saved, refused and merged with it (configform.js).
import { html } from "/static/vendor/preact-htm.js";
import { focusSoon } from "./configform.js";
import { Select, TextInput, fieldId } from "./fields.js";

const ASK = [{ value: "yes_no", label: "Ask it as a yes/no question" },
  { value: "reminder", label: "Show it as a reminder only" }];

function Prompt({ prompt, n, prompts, ctx }) {
  const path = "privacy_prompts.prompts." + n;
  const id = (f) => fieldId("policies", path + "." + f);
  const set = (patch) => ctx.set(["privacy_prompts", "prompts"],
    prompts.map((p, k) => (k === n ? { ...p, ...patch } : p)));
  const title = prompt.label || "Prompt " + (n + 1);
  return html`<li><fieldset class="row" id=${fieldId("policies", path)} tabindex="-1">
    <legend>${n + 1}. ${title}</legend>
    <${TextInput} id=${id("question")} label="What the client reads" value=${prompt.question} rows=${2}
      error=${ctx.err(path + ".question")}
      hint="A yes/no question (“Are you wearing headphones?”), or for a reminder the sentence shown."
      onInput=${(v) => set({ question: v })} />
    <div class="inline wrap">
      <${Select} id=${id("ask")} label="How" value=${prompt.ask} options=${ASK}
        error=${ctx.err(path + ".ask")} onChange=${(v) => set({ ask: v })} />
      <${TextInput} id=${id("label")} label="Word on the roster" value=${prompt.label}
        error=${ctx.err(path + ".label")} hint="Short, like Headphones."
        onInput=${(v) => set({ label: v })} />
      ${prompt.ask === "yes_no" ? html`<${TextInput} id=${id("when_no")} optional
        label="What the roster says for a no" value=${prompt.when_no}
        error=${ctx.err(path + ".when_no")} hint="Marked for the lead, like No headphones."
        onInput=${(v) => set({ when_no: v })} />` : null}
      <${TextInput} id=${id("key")} label="Key" value=${prompt.key} error=${ctx.err(path + ".key")}
        hint="Lowercase letters, digits or _, like headphones. Answers are stored under it."
        onInput=${(v) => set({ key: v })} />
    </div>
    <div class="actions">
      <button type="button" class="remove" onClick=${() => {
        ctx.set(["privacy_prompts", "prompts"], prompts.filter((_, k) => k !== n));
        focusSoon(fieldId("policies", "privacy_prompts.add"));
      }}>Remove ${title}</button>
    </div>
  </fieldset></li>`;
}

export function PrivacyPrompts({ p, stops, ctx }) {
  const prompts = Array.isArray(p.prompts) ? p.prompts : [];
  const own = ctx.err("privacy_prompts.prompts") || ctx.err("privacy_prompts");
  const add = () => {
    ctx.set(["privacy_prompts", "prompts"], [...prompts,
      { key: "prompt_" + (prompts.length + 1), question: "", ask: "yes_no", label: "", when_no: "" }]);
    focusSoon(fieldId("policies", "privacy_prompts.prompts." + prompts.length + ".question"));
  };
  return html`<fieldset class="policy" id=${fieldId("policies", "privacy_prompts")} tabindex="-1">
    <legend>Privacy prompts before each session</legend>
    <p class="hint">Asked on the check-in form and listed on the join page. Clients may skip them:
      they are checked in either way. A “no” is marked on the client's roster row.</p>
    ${own ? html`<p class="field-error">${own}</p>` : null}
    <ol class="prompts">${prompts.map((q, n) => html`<${Prompt} key=${n} prompt=${q} n=${n}
      prompts=${prompts} ctx=${ctx} />`)}</ol>
    <p><button type="button" id=${fieldId("policies", "privacy_prompts.add")} onClick=${add}>
      Add a prompt</button></p>
    <${TextInput} id=${fieldId("policies", "privacy_prompts.recording_statement")} optional
      label="What clients are told about recording" value=${p.recording_statement}
      error=${ctx.err("privacy_prompts.recording_statement")}
      hint=${stops ? "Shown on the check-in form and the join page. Empty: nothing is said."
        : "Not shown now: Tether only tells the clinicians when a recording starts. Choose “stop the recording” above to show it."}
      onInput=${(v) => ctx.set(["privacy_prompts", "recording_statement"], v)} />
  </fieldset>`;
}
