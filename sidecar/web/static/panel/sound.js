// An optional short tone when an alert arrives while the panel's tab is hidden: made with
// the Web Audio API (no sound file, nothing fetched), off unless the clinician turns it on
// here, and remembered in this browser.
const KEY = "tether.sound-when-hidden";
let audio = null;

export function soundOn() {
  try { return window.localStorage.getItem(KEY) === "on"; } catch (err) { return false; }
}

export function setSound(on) {
  try { window.localStorage.setItem(KEY, on ? "on" : "off"); } catch (err) { /* kept for now */ }
  if (on) ready();
}

function context() {
  const Audio = window.AudioContext || window.webkitAudioContext;
  if (!audio && Audio) audio = new Audio();
  return audio;
}

// Browsers let a page make sound only once someone has used it: the panel gets ready on the
// checkbox itself and on the first click or key press after a reload.
export function ready() {
  const a = context();
  if (a && a.state === "suspended") a.resume().catch(() => {});
}

export function tone() {
  const a = context();
  if (!a) return;
  ready();
  const osc = a.createOscillator();
  const gain = a.createGain();
  const t = a.currentTime;
  osc.type = "sine";
  osc.frequency.setValueAtTime(880, t);
  gain.gain.setValueAtTime(0.0001, t);
  gain.gain.exponentialRampToValueAtTime(0.3, t + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.4);
  osc.connect(gain);
  gain.connect(a.destination);
  osc.start(t);
  osc.stop(t + 0.4);
}
