// Which step of a paced exercise shows at a moment (pure): the same rules as
// sidecar/clinical/pacing.py, checked against it by one table of cases. An exercise is
// { title, steps: [{ words, seconds }], rounds }.

export function roundMs(ex) {
  return ex.steps.reduce((sum, s) => sum + Math.round(s.seconds * 1000), 0);
}

export function totalMs(ex) {
  return roundMs(ex) * ex.rounds;
}

// { round (1-based), rounds, step (index), words, secondsLeft, done }
export function phaseAt(ex, elapsedMs) {
  const rounds = ex.rounds;
  if (elapsedMs >= totalMs(ex)) {
    const last = ex.steps.length - 1;
    return { round: rounds, rounds: rounds, step: last, words: ex.steps[last].words,
      secondsLeft: 0, done: true };
  }
  const whole = roundMs(ex);
  const at = Math.max(0, elapsedMs);
  let into = at % whole;
  const round = Math.floor(at / whole) + 1;
  for (let i = 0; i < ex.steps.length; i++) {
    const length = Math.round(ex.steps[i].seconds * 1000);
    if (into < length) {
      return { round: round, rounds: rounds, step: i, words: ex.steps[i].words,
        secondsLeft: Math.max(1, Math.ceil((length - into) / 1000)), done: false };
    }
    into -= length;
  }
  throw new Error("unreachable: the round's length is the sum of its steps");
}

// Whole rounds finished (what the record says: "4 rounds")
export function roundsDone(ex, elapsedMs) {
  return Math.min(ex.rounds, Math.floor(Math.max(0, elapsedMs) / roundMs(ex)));
}

// The shared page's address: the exercise in the hash (never sent to the server), no
// client named. "#t=Box breathing&r=4&s=Breathe in~4&s=Hold~4"
export function sharedHash(ex) {
  const p = new URLSearchParams();
  p.set("t", ex.title);
  p.set("r", String(ex.rounds));
  for (const s of ex.steps) p.append("s", s.words + "~" + s.seconds);
  return "#" + p.toString();
}

export function fromHash(hash) {
  const p = new URLSearchParams(String(hash || "").replace(/^#/, ""));
  const steps = p.getAll("s").map((s) => {
    const cut = s.lastIndexOf("~");
    return { words: s.slice(0, cut).slice(0, 80), seconds: Number(s.slice(cut + 1)) };
  }).filter((s) => s.words && s.seconds >= 1 && s.seconds <= 120);
  const rounds = Math.min(20, Math.max(1, Math.floor(Number(p.get("r")) || 1)));
  if (!steps.length || steps.length > 12) return null;
  return { title: (p.get("t") || "Breathe with me").slice(0, 60), steps: steps, rounds: rounds };
}
