// The paced timer: the phase word large ("Breathe in"), its seconds counted down, "Round 2
// of 4", with start, pause and stop (one exercise per timer: key it by the exercise). Time is the page's clock (Date.now), so a paused
// timer keeps its place; the panel's tool sheet and the shared grounding page both use it.
import { html, useEffect, useRef, useState } from "/static/vendor/preact-htm.js";
import { phaseAt, roundsDone } from "./pacer.js";

const IDLE = { started: 0, banked: 0, running: false };

export function usePaced(ex, onFinish) {
  const [run, setRun] = useState(IDLE);
  const [, setTick] = useState(0);
  const now = useRef(run);
  now.current = run;
  const finish = useRef(onFinish);
  finish.current = onFinish;
  const elapsedOf = (r) => r.banked + (r.running ? Date.now() - r.started : 0);
  useEffect(() => {
    if (!run.running) return undefined;
    const t = setInterval(() => {  // each tick redraws; the last one also says it finished
      const r = now.current;
      if (r.running && phaseAt(ex, elapsedOf(r)).done) {
        setRun({ started: 0, banked: elapsedOf(r), running: false });
        if (finish.current) finish.current(ex.rounds);
      } else {
        setTick((n) => n + 1);
      }
    }, 200);
    return () => clearInterval(t);
  }, [run.running]);
  const elapsed = elapsedOf(run);
  const phase = phaseAt(ex, elapsed);
  return {
    phase: phase, running: run.running, begun: run.running || run.banked > 0,
    start: () => setRun({ started: Date.now(), banked: phase.done ? 0 : run.banked, running: true }),
    pause: () => setRun({ started: 0, banked: elapsed, running: false }),
    stop: () => {  // the whole rounds done so far
      setRun(IDLE);
      return roundsDone(ex, elapsed);
    },
  };
}

export function PacedView({ ex, paced, idPrefix }) {
  const p = paced.phase;
  const idle = !paced.begun;
  return html`<div class=${"pacer" + (paced.running ? " running" : "") + (p.done ? " done" : "")}
      id=${idPrefix + "-pacer"}>
    <p class="phase" aria-live="polite">${idle ? "Ready when you are" : p.done ? "Well done"
      : p.words}</p>
    <p class="seconds" aria-hidden=${idle || p.done ? "true" : undefined}>${idle ? "" : p.done ? ""
      : p.secondsLeft + " s"}</p>
    <p class="round">${p.done ? "All " + p.rounds + " rounds done" : "Round " + p.round + " of " + p.rounds}</p>
    <progress max=${ex.steps.length} value=${p.done ? ex.steps.length : p.step + (idle ? 0 : 1)}
      aria-label="Step in this round"></progress>
  </div>`;
}

export function PacedButtons({ paced, onStop, label }) {
  return html`<div class="pacer-buttons">
    ${paced.running
      ? html`<button type="button" class="pause" onClick=${paced.pause}>Pause</button>`
      : html`<button type="button" class="start" onClick=${paced.start}>
          ${paced.begun && !paced.phase.done ? "Go on" : "Start"}${label ? " " + label : ""}</button>`}
    <button type="button" class="stop" disabled=${!paced.begun || paced.phase.done} onClick=${() => {
      const rounds = paced.stop();
      if (onStop) onStop(rounds);
    }}>Stop</button>
  </div>`;
}
