// A button that does one thing: disabled while it works, then says what it did (its own
// state, so Preact never reuses a finished button's text for another).
import { html, useState } from "/static/vendor/preact-htm.js";

export function ActButton({ cls, id, label, done, work, say, aria }) {
  const [state, setState] = useState("ready");
  async function click() {
    setState("busy");
    say("");
    try {
      await work();
      setState(done ? "done" : "ready");
    } catch (err) {
      setState("ready");
      say(err.message);
    }
  }
  return html`<button type="button" class=${cls} id=${id} aria-label=${aria}
    disabled=${state !== "ready"} onClick=${click}>${state === "done" ? done : label}</button>`;
}
