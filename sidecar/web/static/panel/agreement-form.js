// Recording a harm-reduction agreement: the program's quick picks, the terms in the
// client's own words, and how many minutes it runs. Every panel on the meeting then shows
// its countdown (agreements.js).
import { html, useState } from "/static/vendor/preact-htm.js";

export function AgreementForm({ client, name, tools, ctx, said }) {
  const [picks, setPicks] = useState([]);
  const [note, setNote] = useState("");
  const [minutes, setMinutes] = useState(String(tools.agreement_minutes));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const toggle = (term, on) => setPicks((p) => on ? p.concat([term]) : p.filter((x) => x !== term));
  async function submit(e) {
    e.preventDefault();
    setError("");
    if (!picks.length && !note.trim()) { setError("Say what was agreed: choose a term or write one."); return; }
    setBusy(true);
    try {
      await ctx.must("POST", ctx.path("/clients/" + encodeURIComponent(client) + "/agreements"),
        { terms: picks, note: note, minutes: Math.round(Number(minutes)) || 0 });
      said("Agreement recorded: both facilitators see its countdown.");
      setPicks([]);
      setNote("");
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }
  return html`<form class="agreement-form" onSubmit=${submit} aria-label=${"Agreement with " + name}>
    <fieldset><legend>What ${name} agreed to</legend>
      ${tools.agreement_terms.map((t, n) => html`<label class="pick" key=${t}>
        <input type="checkbox" id=${"agree-pick-" + n} checked=${picks.includes(t)}
          onChange=${(e) => toggle(t, e.currentTarget.checked)} /> ${t}</label>`)}
    </fieldset>
    <label for="agree-note">In their words (optional)</label>
    <textarea id="agree-note" rows="3" maxlength="500" value=${note}
      onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
    <label for="agree-minutes">For how many minutes</label>
    <input id="agree-minutes" type="number" min="1" max="240" inputmode="numeric" value=${minutes}
      onInput=${(e) => setMinutes(e.currentTarget.value)} />
    ${error ? html`<p class="error-line" role="alert">${error}</p>` : null}
    <button type="submit" class="primary" disabled=${busy}>Record the agreement</button>
  </form>`;
}
