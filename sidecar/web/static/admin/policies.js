// Policies: what Tether does when a client drops out (the callback ladder), what a check-in
// asks, what happens when a meeting is recorded, when follow-ups are due after an incident,
// and whether 42 CFR Part 2 applies. Settings this page has no words for are shown from
// the server's answer with labels made from their names, and kept as they are.
import { html } from "/static/vendor/preact-htm.js";
import { ChoiceBoxes, ListInput, NotYet, NumberInput, focusSoon, plainKey, problemAt, setIn,
  useConfigForm } from "./configform.js";
import { Deescalation } from "./deescalation.js";
import { Checkbox, Conflict, ErrorSummary, SaveBar, Select, TextInput, fieldId } from "./fields.js";
import { PrivacyPrompts } from "./privacy.js";

const ACTIONS = [
  { value: "call_client", label: "Call the client" },
  { value: "call_support", label: "Call their support person" },
  { value: "prompt_responders", label: "Ask the team to send responders" },
];

const REASONS = [
  ["disconnected", "Their connection was lost"], ["unknown", "The platform did not say why"],
  ["left", "They left on their own"], ["removed_by_host", "The host removed them"],
  ["meeting_ended", "The meeting ended"], ["moved_to_breakout", "Moved to a breakout room"],
  ["moved_to_main", "Moved back to the main room"], ["left_waiting_room", "Left the waiting room"],
];

const CHECKIN_FIELDS = [
  ["location", "Where they are (an address)"], ["callback_phone", "A number to call them back on"],
  ["others_present", "Who else is with them"],
  ["emergency_contact_ok", "Whether their emergency contact is still right"],
  ["emergency_contact", "An emergency contact"], ["note", "A note"],
  ["location.street", "Street"], ["location.unit", "Unit or apartment"], ["location.city", "City"],
  ["location.region", "State or region"], ["location.postal_code", "Postal code"],
  ["location.country", "Country"], ["location.room", "Room (where in the building)"],
];

const WORDS = { ...Object.fromEntries(CHECKIN_FIELDS), ...Object.fromEntries(REASONS) };

// The sections this page has its own words for; any other key is shown generically
const KNOWN = ["callback_policy", "checkin_policy", "recording_policy", "aftercare_policy", "part2_program",
  "privacy_prompts", "deescalation"];

function Step({ step, n, steps, ctx }) {
  const path = "callback_policy.steps." + n;
  const at = (f) => fieldId("policies", path + "." + f);
  const set = (patch) => ctx.set(["callback_policy", "steps"],
    steps.map((s, k) => (k === n ? { ...s, ...patch } : s)));
  const move = (to) => {  // the moved step's buttons keep the focus
    const next = steps.slice();
    [next[n], next[to]] = [next[to], next[n]];
    ctx.set(["callback_policy", "steps"], next);
    const way = to < n ? "up" : "down";
    const still = way === "up" ? to > 0 : to < steps.length - 1;
    focusSoon(fieldId("policies", "callback_policy.steps." + to + "." +
      (still ? way : way === "up" ? "down" : "up")));
  };
  const words = (ACTIONS.find((a) => a.value === step.action) || {}).label || step.action;
  return html`<li class="step"><fieldset class="row"><legend>Step ${n + 1}: ${words}</legend>
    <div class="inline">
      <${Select} id=${at("action")} label="What Tether does" value=${step.action}
        error=${ctx.err(path + ".action")} options=${ACTIONS} onChange=${(action) => set({ action })} />
      <${NumberInput} id=${at("attempts")} label="Attempts" value=${step.attempts}
        error=${ctx.err(path + ".attempts")} hint="1 to 5" onChange=${(v) => set({ attempts: v })} />
      <${NumberInput} id=${at("ring_timeout_seconds")} label="Ring time (seconds)"
        value=${step.ring_timeout_seconds} error=${ctx.err(path + ".ring_timeout_seconds")}
        hint="1 to 120" onChange=${(v) => set({ ring_timeout_seconds: v })} />
    </div>
    <div class="actions">
      <button type="button" id=${at("up")} disabled=${n === 0} onClick=${() => move(n - 1)}>
        Move step ${n + 1} up</button>
      <button type="button" id=${at("down")} disabled=${n === steps.length - 1}
        onClick=${() => move(n + 1)}>Move step ${n + 1} down</button>
      <button type="button" class="remove" disabled=${steps.length === 1} onClick=${() =>
        ctx.set(["callback_policy", "steps"], steps.filter((_, k) => k !== n))}>Remove step ${n + 1}</button>
    </div>
  </fieldset></li>`;
}

function Ladder({ p, ctx }) {
  const id = (f) => fieldId("policies", "callback_policy." + f);
  const own = ctx.fields.callback_policy;
  return html`<fieldset class="policy" id=${fieldId("policies", "callback_policy")} tabindex="-1">
    <legend>When a client drops out of a group: the callback ladder</legend>
    <p class="hint">After the grace time, Tether works down these steps in order until the client is reached.</p>
    ${own ? html`<p class="field-error">${own}</p>` : null}
    <ol class="steps">${p.steps.map((s, n) => html`<${Step} key=${n} step=${s} n=${n}
      steps=${p.steps} ctx=${ctx} />`)}</ol>
    <p><button type="button" onClick=${() => { ctx.set(["callback_policy", "steps"], [...p.steps,
      { action: "call_support", ring_timeout_seconds: 30, attempts: 1 }]);
      focusSoon(fieldId("policies", "callback_policy.steps." + p.steps.length + ".action")); }}>
      Add a step</button></p>
    <div class="inline">
      <${NumberInput} id=${id("grace_seconds")} label="Grace time (seconds)" value=${p.grace_seconds}
        error=${ctx.err("callback_policy.grace_seconds")}
        hint="How long to wait for them to come back by themselves (0 to 50)."
        onChange=${(v) => ctx.set(["callback_policy", "grace_seconds"], v)} />
      ${"deadline_seconds" in p ? html`<${NumberInput} id=${id("deadline_seconds")}
        label="Reach them within (seconds)" value=${p.deadline_seconds}
        error=${ctx.err("callback_policy.deadline_seconds")} hint="At most 60, longer than the grace time."
        onChange=${(v) => ctx.set(["callback_policy", "deadline_seconds"], v)} />` : null}
    </div>
    ${Array.isArray(p.trigger_reasons) ? html`<${ChoiceBoxes} id=${id("trigger_reasons")}
      legend="Start the ladder when a client left because" chosen=${p.trigger_reasons}
      options=${options(REASONS, p.trigger_reasons)} error=${ctx.err("callback_policy.trigger_reasons")}
      onChange=${(v) => ctx.set(["callback_policy", "trigger_reasons"], v)} />` : null}
    <${Checkbox} id=${id("text_client")} label="Text the client with the first call"
      checked=${p.text_client} hint="A rejoin link and “reply 1 if you are OK, 2 for a call”, when they agreed to texts."
      onChange=${(v) => ctx.set(["callback_policy", "text_client"], v)} />
    <${Checkbox} id=${id("reply_ok_stops_ladder")} label="A reply of 1 stops the ladder"
      checked=${p.reply_ok_stops_ladder} hint="Otherwise the reply is shown to the clinicians and the calls go on."
      onChange=${(v) => ctx.set(["callback_policy", "reply_ok_stops_ladder"], v)} />
  </fieldset>`;
}

function options(known, current) {
  const words = Object.fromEntries(known);
  const values = [...known.map(([v]) => v), ...(current || []).filter((v) => !(v in words))];
  return values.map((v) => ({ value: v, label: words[v] || plainKey(v) }));
}

function CheckIn({ p, ctx }) {
  const id = (f) => fieldId("policies", "checkin_policy." + f);
  const set = (f) => (v) => ctx.set(["checkin_policy", f], v);
  const required = p.required && Array.isArray(p.required.required) ? p.required.required : null;
  return html`<fieldset class="policy"><legend>Check-in before each session</legend>
    <p class="hint">Clients tell Tether where they are before each session, so help can be sent to the right place.</p>
    <div class="inline">
      <${Select} id=${id("enforcement")} label="When a client in the meeting has not checked in"
        value=${p.enforcement} error=${ctx.err("checkin_policy.enforcement")} onChange=${set("enforcement")}
        options=${[{ value: "warn", label: "Warn the clinicians" },
          { value: "hold", label: "Warn, and offer to admit clients from the waiting room once checked in" }]} />
      <${NumberInput} id=${id("grace_minutes")} label="Grace time (minutes)" value=${p.grace_minutes}
        error=${ctx.err("checkin_policy.grace_minutes")} hint="0 to 60." onChange=${set("grace_minutes")} />
    </div>
    ${required ? html`<${ChoiceBoxes} id=${id("required")} legend="What a check-in must include"
      options=${options(CHECKIN_FIELDS, required)} chosen=${required}
      error=${ctx.err("checkin_policy.required")}
      onChange=${(v) => ctx.set(["checkin_policy", "required", "required"], v)} />` : null}
    <${ListInput} id=${id("licensed_regions")} label="Where the clinicians are licensed" optional
      value=${p.licensed_regions} error=${ctx.err("checkin_policy.licensed_regions")}
      hint="One a line, like US-IL. A check-in from elsewhere raises an alert. Empty: no check."
      onChange=${set("licensed_regions")} />
    <${Checkbox} id=${id("reprompt_by_sms")} label="Text a reminder with the check-in link"
      checked=${p.reprompt_by_sms} hint="To a client still not checked in after the grace time."
      onChange=${set("reprompt_by_sms")} />
  </fieldset>`;
}

function Recording({ p, ctx }) {
  return html`<fieldset class="policy"><legend>When a meeting is recorded to the cloud</legend>
    <p class="hint">Group sessions are not to be recorded; this says what Tether does when recording starts.</p>
    <${Select} id=${fieldId("policies", "recording_policy.on_start")} label="When recording starts"
      value=${p.on_start} error=${ctx.err("recording_policy.on_start")}
      options=${[{ value: "alert", label: "Tell the clinicians" },
        { value: "stop", label: "Tell the clinicians and stop the recording" }]}
      onChange=${(v) => ctx.set(["recording_policy", "on_start"], v)} />
  </fieldset>`;
}

// Any value from the server's answer, as form fields labelled from its key names
function Generic({ value, path, label, ctx }) {
  const id = fieldId("policies", path.join("."));
  const err = ctx.err(path.join("."));
  const set = (v) => ctx.set(path, v);
  if (typeof value === "boolean") return html`<${Checkbox} id=${id} label=${label} checked=${value} onChange=${set} />`;
  if (typeof value === "number") return html`<${NumberInput} id=${id} label=${label} value=${value} error=${err} onChange=${set} />`;
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null)) {
    return html`<${ListInput} id=${id} label=${label + " (one a line)"} value=${value} error=${err} onChange=${set} />`;
  }
  if (value && typeof value === "object") {
    const entries = Array.isArray(value) ? value.map((v, n) => [n, v]) : Object.entries(value);
    return html`<fieldset class="generic" id=${id} tabindex="-1"><legend>${label}</legend>
      ${entries.map(([k, v]) => html`<${Generic} key=${k} value=${v} path=${[...path, k]} ctx=${ctx}
        label=${typeof k === "number" ? "Item " + (k + 1) : WORDS[k] || plainKey(k)} />`)}
    </fieldset>`;
  }
  return html`<${TextInput} id=${id} label=${label} value=${value} error=${err}
    onInput=${(t) => set(value === null && !t ? null : t)} />`;
}

function Aftercare({ p, ctx }) {
  return html`<fieldset class="policy" id=${fieldId("policies", "aftercare_policy")} tabindex="-1">
    <legend>After an incident closes: follow-ups</legend>
    <p class="hint">Each follow-up is due this many hours after the incident closes.</p>
    ${ctx.fields.aftercare_policy ? html`<p class="field-error">${ctx.fields.aftercare_policy}</p>` : null}
    <div class="inline wrap">${Object.entries(p).map(([k, v]) => html`<${Generic} key=${k} value=${v}
      path=${["aftercare_policy", k]} label=${plainKey(k.replace(/_hours$/, "")) + " (hours)"} ctx=${ctx} />`)}</div>
  </fieldset>`;
}

export function PoliciesSection() {
  const form = useConfigForm("policies", { check });
  if (form.draft === null) return html`<${NotYet} title="Policies" id="policies-title" doc=${form.doc} />`;
  const d = form.draft;
  const ctx = { fields: form.fields, err: (path) => problemAt(form.fields, path),
    set: (path, v) => form.setDraft((body) => setIn(body, path, v)) };
  const others = Object.keys(d).filter((k) => !KNOWN.includes(k));
  return html`<h2 id="policies-title">Policies</h2>
    <p class="hint">How Tether acts for this program. Each change applies to every group once saved.</p>
    <${ErrorSummary} errors=${form.errors} fields=${form.fields} prefix="policies"
      focusKey=${form.tries} />
    ${form.conflict ? html`<${Conflict} message=${form.conflict.error} mine=${form.mine()}
      theirs=${form.conflict.body} onUseTheirs=${form.useTheirs} onKeepMine=${form.keepMine} />`
      : null}
    ${d.callback_policy ? html`<${Ladder} p=${d.callback_policy} ctx=${ctx} />` : null}
    ${d.checkin_policy ? html`<${CheckIn} p=${d.checkin_policy} ctx=${ctx} />` : null}
    ${d.recording_policy ? html`<${Recording} p=${d.recording_policy} ctx=${ctx} />` : null}
    ${d.privacy_prompts ? html`<${PrivacyPrompts} p=${d.privacy_prompts} ctx=${ctx}
      stops=${!d.recording_policy || d.recording_policy.on_start === "stop"} />` : null}
    ${d.aftercare_policy ? html`<${Aftercare} p=${d.aftercare_policy} ctx=${ctx} />` : null}
    ${"part2_program" in d ? html`<fieldset class="policy"><legend>42 CFR Part 2</legend>
      <p class="hint">A substance-use program under Part 2 shares records only with the client's written consent.</p>
      <${Checkbox} id=${fieldId("policies", "part2_program")} label="This is a Part 2 program"
        checked=${d.part2_program} onChange=${(v) => ctx.set(["part2_program"], v)} /></fieldset>` : null}
    ${d.deescalation ? html`<${Deescalation} p=${d.deescalation} ctx=${ctx} />` : null}
    ${others.map((k) => html`<details class="policy" key=${k}><summary>${plainKey(k)}</summary>
      <${Generic} value=${d[k]} path=${[k]} label=${plainKey(k)} ctx=${ctx} /></details>`)}
    <${SaveBar} saving=${form.saving} status=${form.status} onSave=${form.save}
      onDiscard=${form.discard} saveLabel="Save policies" />
    <p class="hint">${form.savedBy()}</p>`;
}

function check(body) {
  const steps = (body.callback_policy && body.callback_policy.steps) || [];
  if (steps.length && steps[0].action !== "call_client") {
    return { "callback_policy.steps.0.action": "the first step must be “Call the client”" };
  }
  return {};
}
