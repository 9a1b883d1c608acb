// Form pieces every admin form shares: a labelled field with its hint and its problem in
// plain words beside it, the summary of problems after a refused save, the two copies of a
// conflicting save, and the save bar. Every value is rendered as text (htm), never HTML.
//
// Exports:
//   plainPath(path): "emergency_contacts.0.phone" -> "Emergency contacts, item 1, phone".
//   fieldId(prefix, path): the element id a form gives the control for a body path
//     (fieldId("client", "emergency_contacts.0.phone") -> "client-emergency_contacts-0-phone");
//     ErrorSummary links to these ids.
//   Field({ id, label, hint, error, optional, children }): label, hint, problem and the
//     control; the control (one element, or a function of { id, "aria-describedby",
//     "aria-invalid" }) gets aria-describedby (hint and problem) and aria-invalid.
//   TextInput({ id, label, value, onInput, error, hint, type, optional, autocomplete,
//     inputmode, readOnly, rows }): onInput(text, event); rows > 1 gives a textarea.
//   Checkbox({ id, label, checked, onChange, hint }): the box beside its label;
//     onChange(checked, event).
//   Select({ id, label, value, options: [{ value, label }], onChange, error, hint }):
//     onChange(value, event).
//   ErrorSummary({ errors, fields, prefix, focusKey }): role=alert; each problem with a
//     field is a link that moves focus to it (or to the box holding it); the summary takes focus when focusKey
//     changes (pass the save count).
//   Conflict({ message, mine, theirs, onUseTheirs, onKeepMine }): what differs between
//     the two copies in plain words; mine stays in the form until one button is chosen.
//   SaveBar({ saving, status, onSave, onDiscard, saveLabel }): Save and Discard buttons and
//     a polite status line.
//   differences(mine, theirs): [{ path, mine, theirs }] (plain values, both sides).
//   sentenceCase(text): the first letter a capital.
//   words(value): a value as a person reads it ("yes", "(empty)", "a, b").
//   within(fields, path): the problem of a one-a-line box, or of its lines ("Line 2: ...").
import { h, html, useLayoutEffect, useRef } from "/static/vendor/preact-htm.js";
import { phone } from "./words.js";

const NAMES = { psap: "911 center", ed: "emergency department", sms: "SMS", id: "id",
  zoom: "Zoom", e164: "phone" };

export function plainPath(path) {
  if (!path || path === "(top level)" || path === "(body)") return "The form as a whole";
  const words = String(path).split(".").map((part) => /^[0-9]+$/.test(part)
    ? "item " + (Number(part) + 1)
    : part.split("_").map((w) => NAMES[w] || w).join(" "));
  const text = words.join(", ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function fieldId(prefix, path) {
  return prefix + "-" + String(path).replace(/[^A-Za-z0-9_]+/g, "-");
}

function describedBy(id, hint, error) {
  const ids = [hint ? id + "-hint" : "", error ? id + "-error" : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

function withA11y(child, a11y) {
  if (typeof child === "function") return child(a11y);
  const node = Array.isArray(child) ? child[0] : child;
  if (!node || typeof node !== "object" || !node.type) return child;
  return h(node.type, { ...node.props, ...a11y, id: node.props.id || a11y.id,
    key: node.key, ref: node.ref });
}

export function Field({ id, label, hint, error, optional, children, cls }) {
  const a11y = { id, "aria-describedby": describedBy(id, hint, error),
    "aria-invalid": error ? "true" : undefined };
  return html`<div class=${"field" + (error ? " invalid" : "") + (cls ? " " + cls : "")}>
    <label for=${id}>${label}${optional ? html` <span class="optional">(optional)</span>` : null}</label>
    ${hint ? html`<p class="hint" id=${id + "-hint"}>${hint}</p>` : null}
    ${error ? html`<p class="field-error" id=${id + "-error"}><span class="visually-hidden">Problem: </span>${sentenceCase(error)}</p>` : null}
    ${withA11y(children, a11y)}
  </div>`;
}

export function TextInput({ id, label, value, onInput, error, hint, type, optional,
  autocomplete, inputmode, readOnly, rows, cls }) {
  const input = (e) => onInput && onInput(e.target.value, e);
  const control = rows && rows > 1
    ? html`<textarea rows=${rows} value=${value ?? ""} onInput=${input}
        readOnly=${readOnly} autocomplete=${autocomplete || "off"}></textarea>`
    : html`<input type=${type || "text"} value=${value ?? ""} onInput=${input}
        readOnly=${readOnly} autocomplete=${autocomplete || "off"} inputmode=${inputmode}
        spellcheck=${type === "email" || type === "tel" ? "false" : undefined} />`;
  return html`<${Field} id=${id} label=${label} hint=${hint} error=${error}
    optional=${optional} cls=${cls}>${control}<//>`;
}

export function Checkbox({ id, label, checked, onChange, hint, cls }) {
  return html`<div class=${"check" + (cls ? " " + cls : "")}>
    <input type="checkbox" id=${id} checked=${!!checked}
      aria-describedby=${hint ? id + "-hint" : undefined}
      onChange=${(e) => onChange && onChange(e.target.checked, e)} />
    <label for=${id}>${label}</label>
    ${hint ? html`<p class="hint" id=${id + "-hint"}>${hint}</p>` : null}
  </div>`;
}

export function Select({ id, label, value, options, onChange, error, hint, optional }) {
  return html`<${Field} id=${id} label=${label} hint=${hint} error=${error} optional=${optional}>
    <select value=${value ?? ""} onChange=${(e) => onChange && onChange(e.target.value, e)}>
      ${(options || []).map((o) => html`<option key=${o.value} value=${o.value}
        selected=${o.value === value}>${o.label}</option>`)}
    </select><//>`;
}

// Focus the control for a body path, or for the nearest path above it that has one
// ("zoom_emails.1" is a line of the "zoom_emails" box)
function controlFor(prefix, path) {
  const parts = String(path).split(".");
  while (parts.length) {
    const target = document.getElementById(fieldId(prefix, parts.join(".")));
    if (target) return target;
    parts.pop();
  }
  return null;
}

function focusField(event, prefix, path) {
  event.preventDefault();  // the page's hash is its section; moving focus is enough
  const target = controlFor(prefix, path);
  if (target) {
    target.scrollIntoView({ block: "center" });
    target.focus();
  }
}

// The words the form shows for a path: its label, after its row's name ("Contact 1: Sam, phone")
function labelFor(prefix, path) {
  const target = prefix ? controlFor(prefix, path) : null;
  const label = target && target.labels && target.labels[0];
  if (!label) return plainPath(path);
  const own = label.firstChild ? label.firstChild.textContent.trim() : label.textContent.trim();
  const row = target.closest("fieldset.row");
  const legend = row && row.querySelector("legend");
  return legend ? legend.textContent.trim() + ", " + own.charAt(0).toLowerCase() + own.slice(1) : own;
}

export function sentenceCase(text) {
  const t = String(text || "");
  return t.charAt(0).toUpperCase() + t.slice(1);
}

export function ErrorSummary({ errors, fields, prefix, focusKey }) {
  const box = useRef(null);
  useLayoutEffect(() => {
    if (box.current && (errors || []).length) box.current.focus();
  }, [focusKey]);
  const list = errors || [];
  if (!list.length) return null;
  const paths = Object.keys(fields || {});
  const items = list.map((problem) => {
    const at = problem.indexOf(": ");
    const path = at > 0 ? problem.slice(0, at) : "";
    if (!path || !paths.includes(path)) return { text: problem };
    return { path, text: labelFor(prefix, path) + ": " + fields[path] };
  });
  for (const path of paths) {  // fields the sentences did not name
    if (!items.some((i) => i.path === path)) items.push({ path, text: labelFor(prefix, path) + ": " + fields[path] });
  }
  return html`<div class="error-summary" role="alert" tabindex="-1" ref=${box}
      aria-labelledby=${(prefix || "form") + "-summary-title"}>
    <h3 id=${(prefix || "form") + "-summary-title"}>Nothing was saved: ${items.length === 1
      ? "1 thing to fix" : items.length + " things to fix"}</h3>
    <ul>${items.map((i, n) => html`<li key=${n}>${i.path && prefix
      ? html`<a href=${"#" + fieldId(prefix, i.path)}
          onClick=${(e) => focusField(e, prefix, i.path)}>${i.text}</a>`
      : i.text}</li>`)}</ul>
  </div>`;
}

export function words(value) {
  if (value === null || value === undefined || value === "") return "(empty)";
  if (value === true) return "yes";
  if (value === false) return "no";
  if (Array.isArray(value)) return value.length ? value.map(words).join(", ") : "(none)";
  if (typeof value === "object") return JSON.stringify(value);
  return phone(String(value));  // "+13125550111" reads "(312) 555-0111"
}

const SKIP = new Set(["version", "error", "updated_at", "updated_by", "clinical_fields_hidden",
  "safety_plan_review", "code_words_count"]);

function flatten(value, path, out) {
  const plainList = Array.isArray(value) && value.every((v) => v === null || typeof v !== "object");
  if (value && typeof value === "object" && !plainList) {
    for (const key of Object.keys(value)) {
      if (!path && SKIP.has(key)) continue;
      flatten(value[key], path ? path + "." + key : key, out);
    }
    if (!Object.keys(value).length) out[path] = Array.isArray(value) ? [] : null;
  } else {
    out[path] = value;
  }
  return out;
}

export function differences(mine, theirs) {
  const a = flatten(mine ?? {}, "", {});
  const b = flatten(theirs ?? {}, "", {});
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return paths.filter((p) => words(a[p]) !== words(b[p]))
    .map((p) => ({ path: p, mine: words(a[p]), theirs: words(b[p]) }));
}

export function Conflict({ message, mine, theirs, onUseTheirs, onKeepMine }) {
  const box = useRef(null);
  useLayoutEffect(() => { if (box.current) box.current.focus(); }, [message]);
  const diff = differences(mine, theirs);
  return html`<div class="conflict" role="alert" tabindex="-1" ref=${box}
      aria-labelledby="conflict-title">
    <h3 id="conflict-title">Someone else saved this while you were editing</h3>
    <p>${message || "Your copy is out of date."} ${"Nothing was saved; your changes are still in the form."}</p>
    ${diff.length ? html`<table class="diff">
        <caption>What differs between your copy and the saved one</caption>
        <thead><tr><th scope="col">Field</th><th scope="col">Yours (not saved)</th>
          <th scope="col">Saved by them</th></tr></thead>
        <tbody>${diff.map((d) => html`<tr key=${d.path}><th scope="row">${plainPath(d.path)}</th>
          <td>${d.mine}</td><td>${d.theirs}</td></tr>`)}</tbody></table>`
      : html`<p>Their copy and yours are the same.</p>`}
    <div class="actions">
      <button type="button" class="primary" onClick=${onKeepMine}>Keep mine and save again</button>
      <button type="button" onClick=${onUseTheirs}>Use their version</button>
    </div>
  </div>`;
}

export function SaveBar({ saving, status, onSave, onDiscard, saveLabel }) {
  return html`<div class="savebar">
    <button type="button" class="primary" disabled=${saving} onClick=${onSave}>
      ${saving ? "Saving…" : saveLabel || "Save"}</button>
    ${onDiscard ? html`<button type="button" disabled=${saving} onClick=${onDiscard}>
      Discard my changes</button>` : null}
    <span class="status" role="status" aria-live="polite">${status || ""}</span>
  </div>`;
}

// A box of one-a-line items: its own problem, or its lines' ("line 2: ...")
export function within(fields, path) {
  if (fields[path]) return fields[path];
  const inner = Object.keys(fields).filter((k) => k.startsWith(path + "."));
  if (!inner.length) return undefined;
  return inner.map((k) => "Line " + (Number(k.slice(path.length + 1).split(".")[0]) + 1) +
    ": " + fields[k]).join(" ");
}
