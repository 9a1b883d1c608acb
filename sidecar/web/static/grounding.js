// The paced timer on a page of its own, for the lead to share on screen: large and calm,
// with no name and no data from Tether. The exercise comes in the address's hash (from the
// panel's "Open the timer on its own page"), which is never sent to the server.
import { html, render } from "/static/vendor/preact-htm.js";
import { fromHash } from "/static/panel/pacer.js";
import { PacedButtons, PacedView, usePaced } from "/static/panel/timer.js";

function Grounding({ ex }) {
  const paced = usePaced(ex);
  return html`<h1>${ex.title}</h1>
    <${PacedView} ex=${ex} paced=${paced} idPrefix="shared" />
    <${PacedButtons} paced=${paced} />`;
}

function start() {
  const root = document.getElementById("app");
  const ex = fromHash(window.location.hash);
  root.textContent = "";
  if (!ex) {
    render(html`<h1>Breathe with me</h1><p>Open this page from the panel's
      “Calm & ground” tools: the link carries the exercise.</p>`, root);
  } else {
    document.title = ex.title;
    render(html`<${Grounding} ex=${ex} />`, root);
  }
  document.body.dataset.ready = "yes";
}

window.addEventListener("hashchange", () => window.location.reload());
start();
