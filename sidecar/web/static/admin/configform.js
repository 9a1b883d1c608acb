// One program configuration document as a form (staff, groups, on call, policies): the
// admin's draft, the server's words for each wrong field, someone else's save in between,
// and saving only over the version the form was read at. What the admin typed stays on
// screen whatever the answer.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { call, saveDoc, useDoc } from "./doc.js";
import { takeDraft, useKeepDraft } from "./drafts.js";
import { TextInput } from "./fields.js";

// This file's styles, once, beside the page's own (admin.css)
if (!document.querySelector("link[href='/static/admin/config.css']")) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/static/admin/config.css";
  document.head.append(link);
}

export const SAVED = "tether-config-saved";  // window event, detail: { name }

export function configPath(name) {
  return "/api/admin/config/" + name;
}

// Re-run `then` whenever another section saves one of `names`
export function useSavedElsewhere(names, then) {
  useEffect(() => {
    const heard = (e) => { if (names.includes(e.detail.name)) then(); };
    window.addEventListener(SAVED, heard);
    return () => window.removeEventListener(SAVED, heard);
  }, [names.join(" ")]);
}

// A document other sections only read (staff names for a picker), fresh after its save
export function useConfigBody(name) {
  const doc = useDoc(configPath(name));
  useSavedElsewhere([name], doc.reload);
  return doc.status === "ready" && doc.data ? doc.data.body : null;
}

// Fields the form keeps for itself (a new row's flag) start with "_" and are never sent
export function withoutLocal(value) {
  if (Array.isArray(value)) return value.map(withoutLocal);
  if (!value || typeof value !== "object") return value;
  const out = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith("_")) out[k] = withoutLocal(v);
  return out;
}

// "by Jordan Pell on 2026-12-01 at 09:14", from a document's updated_by and updated_at
function lastSaved(doc) {
  if (!doc || !doc.updated_at) return "Not changed here yet (as the program file set it).";
  const [day, time] = String(doc.updated_at).split("T");
  return "Last saved by " + (doc.updated_by || "someone") + " on " + day + " at " +
    time.slice(0, 5) + " (version " + doc.version + ").";
}

// The server names a text that does not fit a field's pattern in the pattern's own terms
// ("String should match pattern '^[0-9]{9,12}$'"): say it as the field's hint does
const PATTERN_WORDS = {
  zoom_meeting_id: "9 to 12 digits, like 81234567890",
  jitsi_room: "lowercase letters, digits, - and _ (3 to 64), starting with a letter or digit",
  join_url: "a link that starts with https://",
  email: "an email address, like name@example.org",
  id: "letters, digits, dots, dashes and underscores only",
  end: "a time like 06:00, or 24:00 for midnight",
  key: "lowercase letters, digits and _ only",
};

function plainly(path, message) {
  if (!/^(String should match pattern|this is not written the way Tether expects)/i.test(message)) return message;
  const last = String(path).split(".").filter((p) => !/^[0-9]+$/.test(p)).pop();
  return PATTERN_WORDS[last] || "not in the expected form: see the hint beside it";
}

function inWords({ fields, errors }) {
  const out = {};
  for (const [path, message] of Object.entries(fields || {})) out[path] = plainly(path, message);
  return { fields: out, errors: (errors || []).map((e) => {
    const at = e.indexOf(": ");
    return at > 0 ? e.slice(0, at + 2) + plainly(e.slice(0, at), e.slice(at + 2)) : e;
  }) };
}

const EMPTY = { fields: {}, errors: [] };

function savedAt(version) {
  return "Saved (version " + version + "): in use now.";
}

// check(draft) -> { path: message } the browser can tell before asking the server
export function useConfigForm(name, { check } = {}) {
  const doc = useDoc(configPath(name));
  const [kept] = useState(() => takeDraft("config:" + name));  // typed, then left unsaved
  const [base, setBase] = useState(kept ? kept.base : null);  // the copy the draft started from
  const [draft, setDraft] = useState(kept ? kept.draft : null);
  const [problems, setProblems] = useState(EMPTY);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState(kept ? "Your unsaved changes are still here." : "");
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (doc.status !== "ready" || base) return;
    setBase({ body: doc.data.body, version: doc.version, by: doc.data });
    setDraft(doc.data.body);
  }, [doc.status, doc.data]);
  const dirty = Boolean(base && draft !== base.body);
  useKeepDraft("config:" + name, dirty ? { base, draft } : null);

  function refused(found, sentence) {
    setTries((n) => n + 1);
    setProblems(found);
    setStatus(sentence);
  }

  async function save(over) {
    const local = check ? check(draft) : {};
    if (Object.keys(local).length) {
      return refused({ fields: local, errors: Object.entries(local).map(
        ([p, m]) => p + ": " + m) }, "Not saved: fix what is marked below.");
    }
    setSaving(true);
    setStatus("Saving…");
    const r = await saveDoc(configPath(name), withoutLocal(draft), over || base.version);
    setSaving(false);
    if (r.ok) {
      setBase({ body: r.data.body, version: r.version, by: r.data });
      setDraft(r.data.body);
      setProblems(EMPTY);
      setConflict(null);
      setStatus(savedAt(r.version));
      window.dispatchEvent(new CustomEvent(SAVED, { detail: { name } }));
    } else if (r.conflict) {
      setConflict(r.conflict);
      refused(EMPTY, "Not saved: someone else saved this first. Your changes are still here.");
    } else {
      refused(inWords(r),
        "Not saved: fix what is marked below. Your changes are still here.");
    }
  }

  return {
    doc, draft, setDraft, saving, status, conflict, tries,
    mine: () => withoutLocal(draft),
    savedBy: () => lastSaved(base && base.by),
    fields: problems.fields, errors: problems.errors,
    error: (path) => problems.fields[path] || "",
    save: () => save(),
    discard: () => { setDraft(base.body); setProblems(EMPTY); setConflict(null);
      setStatus("Your changes were discarded."); },
    useTheirs: () => { setBase({ body: conflict.body, version: conflict.version, by: conflict });
      setDraft(conflict.body); setConflict(null); setProblems(EMPTY);
      setStatus("Showing their version; nothing of yours was saved."); },
    keepMine: () => { const v = conflict.version; setConflict(null);
      setBase((b) => ({ ...b, version: v })); save(v); },
  };
}

// Keep a fresh read of a GET answer (not a document), e.g. the client list
export function useAnswer(path, everyMs) {
  const [answer, setAnswer] = useState({ data: null, error: "" });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    call("GET", path).then((r) => {
      if (!live) return;
      setAnswer((was) => (r.ok ? { data: r.data, error: "" }
        : { data: was.data, error: (r.data && r.data.error) || r.text || "Tether answered " + r.status }));
    });
    return () => { live = false; };
  }, [path, round]);
  useEffect(() => {
    if (!everyMs) return undefined;
    const timer = setInterval(() => setRound((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return { ...answer, reload: () => setRound((n) => n + 1) };
}

// The problem the server found at `path`, or under it ("0.zoom_user_ids.1" at the list)
export function problemAt(fields, path) {
  if (fields[path]) return fields[path];
  const under = Object.keys(fields).find((p) => p.startsWith(path + "."));
  return under ? fields[under] : "";
}

// A copy of `value` with `path` (a list of keys) set to `to`
export function setIn(value, path, to) {
  if (!path.length) return to;
  const [head, ...rest] = path;
  const copy = Array.isArray(value) ? value.slice() : { ...value };
  copy[head] = setIn(value[head], rest, to);
  return copy;
}

const UNITS = { seconds: "seconds", minutes: "minutes", hours: "hours", ms: "milliseconds" };

// "ring_timeout_seconds" -> "Ring timeout (seconds)"
export function plainKey(key) {
  const parts = String(key).split(/[_.]/).filter(Boolean);
  const unit = UNITS[parts[parts.length - 1]];
  const words = (unit ? parts.slice(0, -1) : parts).join(" ");
  const text = (words.charAt(0).toUpperCase() + words.slice(1)) || "Value";
  return unit ? text + " (" + unit + ")" : text;
}

function asNumber(text) {
  const t = String(text).trim();
  return /^-?[0-9]+(\.[0-9]+)?$/.test(t) ? Number(t) : text;
}

// A number typed as text: the form holds a number when it reads as one, else the text as
// typed (the server names the problem, the admin's text stays)
export function NumberInput({ id, label, value, onChange, error, hint }) {
  const [text, setText] = useState(value === null || value === undefined ? "" : String(value));
  useEffect(() => {
    if (asNumber(text) !== value) setText(value === null || value === undefined ? "" : String(value));
  }, [value]);
  return html`<${TextInput} id=${id} label=${label} value=${text} error=${error} hint=${hint}
    inputmode="decimal" cls="narrow" onInput=${(t) => { setText(t); onChange(asNumber(t)); }} />`;
}

function lines(text) {
  return String(text || "").split("\n").map((s) => s.trim()).filter(Boolean);
}

// A list of short texts, one a line
export function ListInput({ id, label, value, onChange, error, hint, optional }) {
  const joined = (value || []).join("\n");
  const [text, setText] = useState(joined);
  useEffect(() => {
    if (lines(text).join("\n") !== joined) setText(joined);
  }, [joined]);
  return html`<${TextInput} id=${id} label=${label} value=${text} error=${error} hint=${hint}
    optional=${optional} rows=${Math.max(2, (value || []).length)}
    onInput=${(t) => { setText(t); onChange(lines(t)); }} />`;
}

export const DAYS = [["mon", "Mon", "Monday"], ["tue", "Tue", "Tuesday"],
  ["wed", "Wed", "Wednesday"], ["thu", "Thu", "Thursday"], ["fri", "Fri", "Friday"],
  ["sat", "Sat", "Saturday"], ["sun", "Sun", "Sunday"]];

// The days of the week as checkboxes, kept in week order
export function DayBoxes({ id, legend, days, onChange, error }) {
  const toggle = (day, on) => onChange(DAYS.map((d) => d[0]).filter((d) =>
    d === day ? on : (days || []).includes(d)));
  return html`<fieldset class=${"days" + (error ? " invalid" : "")} id=${id} tabindex="-1"
      aria-describedby=${error ? id + "-error" : undefined}>
    <legend>${legend}</legend>
    ${error ? html`<p class="field-error" id=${id + "-error"}>${error}</p>` : null}
    ${DAYS.map(([day, short, long]) => html`<span class="day" key=${day}>
      <input type="checkbox" id=${id + "-" + day} checked=${(days || []).includes(day)}
        onChange=${(e) => toggle(day, e.target.checked)} />
      <label for=${id + "-" + day}>${short}<span class="visually-hidden">${long.slice(3)}</span></label></span>`)}
  </fieldset>`;
}

// "06:00" as this browser shows times ("6:00 AM"), to match its time fields
export function clockWords(hhmm) {
  const [h, m] = String(hhmm || "").split(":").map(Number);
  if (Number.isNaN(h) || Number.isNaN(m)) return String(hhmm || "");
  if (h === 24) return "midnight";
  return new Date(2000, 0, 1, h, m).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

// A wall-clock time (HH:MM, 24-hour)
export function TimeInput({ id, label, value, onChange, error, hint }) {
  return html`<${TextInput} id=${id} label=${label} type="time" value=${value} error=${error}
    hint=${hint} cls="narrow" onInput=${onChange} />`;
}

// Choices of a list as checkboxes: [{ value, label }]
export function ChoiceBoxes({ id, legend, hint, options, chosen, onChange, error }) {
  const toggle = (value, on) => onChange(on ? [...chosen.filter((c) => c !== value), value]
    : chosen.filter((c) => c !== value));
  return html`<fieldset class=${"choices" + (error ? " invalid" : "")} id=${id} tabindex="-1"
      aria-describedby=${[hint ? id + "-hint" : "", error ? id + "-error" : ""].filter(Boolean).join(" ") || undefined}>
    <legend>${legend}</legend>
    ${hint ? html`<p class="hint" id=${id + "-hint"}>${hint}</p>` : null}
    ${error ? html`<p class="field-error" id=${id + "-error"}>${error}</p>` : null}
    ${options.map((o, n) => html`<div class="check" key=${o.value}>
      <input type="checkbox" id=${id + "-" + n} checked=${chosen.includes(o.value)}
        onChange=${(e) => toggle(o.value, e.target.checked)} />
      <label for=${id + "-" + n}>${o.label}</label></div>`)}
  </fieldset>`;
}

// Loading, or the document could not be read
export function NotYet({ title, id, doc }) {
  return html`<h2 id=${id}>${title}</h2>${doc.status === "error"
    ? html`<p class="error-line" role="alert">${doc.error}</p>` : html`<p>Loading…</p>`}`;
}

// After adding a row: move to its first field once it is on the page
export function focusSoon(id) {
  requestAnimationFrame(() => {
    const field = document.getElementById(id);
    if (field) field.focus();
  });
}
