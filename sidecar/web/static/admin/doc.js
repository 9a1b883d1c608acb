// Versioned documents of the admin API (program configuration, client records, the
// locale directory): loading one, and saving it only over the version it was read at.
//
// Exports:
//   useDoc(path) -> { status: "loading" | "ready" | "error", data, version, error, reload }
//     GETs path with the session; version comes from the ETag header, else data.version.
//     reload() reads it again (status goes back to "loading" only on the first read).
//   saveDoc(path, body, version, { create } = {}) ->
//     { ok, status, data, version, fields, errors, conflict }
//     PUTs body with If-Match: "<version>" (or If-None-Match: * when create).
//     fields: { "0.phone": "a plain message", ... } (the body path of each problem);
//     errors: every problem as a sentence; conflict: on 412 the server's current copy
//     (`current`, same shape GET returns) with its `error` sentence added, else null.
//   call(method, path, body, headers) -> { ok, status, data, text, version }
//     any other call through the session, the answer read once.
//   versionOf(response, data): the version a response names.
//   fieldsOf(errors): "path: message" sentences as { path: message }.
//   plainMessage(message): a validator's message in plain words.
//   pathOf(path, ...parts): an API path with each part escaped.
import { useCallback, useEffect, useState } from "/static/vendor/preact-htm.js";

export function pathOf(base, ...parts) {
  return base + parts.map((p) => "/" + encodeURIComponent(p)).join("");
}

export function versionOf(response, data) {
  const tag = response && response.headers ? response.headers.get("ETag") : null;
  if (tag) {
    const bare = tag.replace(/^W\//, "").replace(/"/g, "");
    return /^[0-9]+$/.test(bare) ? Number(bare) : bare;
  }
  return data && typeof data === "object" && !Array.isArray(data) && "version" in data
    ? data.version : null;
}

export async function call(method, path, body, headers) {
  let response;
  try {
    response = await window.tetherAuth.call(method, path, body, headers);
  } catch (err) {
    return { ok: false, status: 0, data: null, version: null,
      text: "Tether could not be reached: check the connection and try again." };
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (err) { data = null; }
  return { ok: response.ok, status: response.status, data, text,
    version: versionOf(response, data) };
}

export function fieldsOf(errors) {
  const fields = {};
  for (const problem of errors || []) {
    const at = String(problem).indexOf(": ");
    if (at <= 0) continue;
    const path = problem.slice(0, at);
    if (path === "(top level)" || path === "(body)" || path in fields) continue;
    fields[path] = problem.slice(at + 2);
  }
  return fields;
}

// The validator's own wording, where it is not yet plain
const PLAIN = [
  [/^required$/, "this cannot be empty"],
  [/^String should have at least 1 character/, "this cannot be empty"],
  [/^String should have at least (\d+) characters/, "at least $1 characters"],
  [/^String should have at most (\d+) characters/, "at most $1 characters"],
  [/^String should match pattern .*/, "this is not written the way Tether expects"],
  [/^Input should be a valid date.*/, "a date like 2026-10-01"],
  [/^Input should be a valid integer.*/, "a whole number"],
  [/^Input should be greater than or equal to (\S+)/, "use $1 or more"],
  [/^Input should be less than or equal to (\S+)/, "use $1 or less"],
  [/^List should have at most (\d+) items.*/, "at most $1"],
  [/^List should have at least 1 item.*/, "add at least one"],
];

export function plainMessage(message) {
  for (const [pattern, plain] of PLAIN) {
    if (pattern.test(message)) return message.replace(pattern, plain);
  }
  return message;
}

function plainSentence(problem) {
  const at = problem.indexOf(": ");
  return at > 0 ? problem.slice(0, at + 2) + plainMessage(problem.slice(at + 2)) : problem;
}

// What went wrong, in sentences a person can act on
function sentences(r) {
  if (r.data && Array.isArray(r.data.errors)) return r.data.errors.map(String).map(plainSentence);
  if (r.status === 0) return [r.text];
  if (r.data && r.data.error) return [String(r.data.error)];
  if (r.status === 403) return ["You may not change this: " + (r.text || "ask the program admin")];
  if (r.status === 428) return ["Tether needs to know which copy you changed: reload and try again."];
  if (r.text && r.text.length < 300 && !r.text.startsWith("<")) return [r.text];
  return ["Tether answered " + r.status + ": nothing was saved, please try again."];
}

export async function saveDoc(path, body, version, { create } = {}) {
  const headers = create ? { "If-None-Match": "*" }
    : version === null || version === undefined ? {} : { "If-Match": '"' + version + '"' };
  const r = await call("PUT", path, body, headers);
  if (r.ok) {
    const saved = r.version !== null ? r.version : version;
    return { ok: true, status: r.status, data: r.data, version: saved, fields: {},
      errors: [], conflict: null };
  }
  const errors = sentences(r);
  let conflict = null;
  let next = version;
  if (r.status === 412 && r.data && r.data.current) {
    conflict = Object.assign({}, r.data.current, { error: errors[0] });
    next = versionOf(null, r.data.current);
  }
  const fields = r.data && r.data.fields
    ? Object.fromEntries(Object.entries(r.data.fields).map(([k, v]) => [k, plainMessage(String(v))]))
    : fieldsOf(errors);
  return { ok: false, status: r.status, data: r.data, version: next, fields, errors, conflict };
}

export function useDoc(path) {
  const [state, setState] = useState({ status: "loading", data: null, version: null,
    error: "" });
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    call("GET", path).then((r) => {
      if (!live) return;
      if (r.ok) setState({ status: "ready", data: r.data, version: r.version, error: "" });
      else setState((s) => ({ ...s, status: "error", error: sentences(r).join(" ") }));
    });
    return () => { live = false; };
  }, [path, round]);
  return { ...state, reload };
}
