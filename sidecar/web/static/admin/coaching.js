// Coaching pages for caregivers: the library (title, summary, in use or retired, last
// change) and, at #coaching/<id> or #coaching/new, a page's form with a live preview the
// server renders. Saved over the version it was read at, like the other documents.
import { html, useEffect, useState } from "/static/vendor/preact-htm.js";
import { call, pathOf, saveDoc, useDoc } from "./doc.js";
import { takeDraft, useKeepDraft } from "./drafts.js";
import { Conflict, ErrorSummary, SaveBar, TextInput } from "./fields.js";
import { drawn } from "./markdown-view.js";
import { go } from "./route.js";

const LIB = "/api/admin/coaching";
const BODY_MAX = 20000;
const NO_PROBLEMS = { fields: {}, errors: [], tries: 0 };
const at = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const blank = { title: "", summary: "", body: "", retired: false };
const textOf = (p) => ({ title: p.title, summary: p.summary, body: p.body, retired: !!p.retired });

// An unsaved page survives a reload of the tab (program text, never a client's data)
const KEPT = (id) => "tether-coaching-draft:" + (id || "new");
function keptDraft(id) {
  try { return JSON.parse(window.sessionStorage.getItem(KEPT(id)) || "null"); } catch (e) { return null; }
}
function keepDraft(id, draft) {
  try {
    if (draft) window.sessionStorage.setItem(KEPT(id), JSON.stringify(draft));
    else window.sessionStorage.removeItem(KEPT(id));
  } catch (e) { /* private mode: the in-page draft still holds it */ }
}

function changed(p) {
  if (!p.updated_at) return "";
  return (p.updated_by || "someone") + ", " + p.updated_at.slice(0, 10) + " " + p.updated_at.slice(11, 16);
}

function PageList() {
  const doc = useDoc(LIB);
  if (doc.status === "loading") return html`<p>Loading the coaching pages…</p>`;
  if (doc.status === "error") return html`<p class="error-line">${doc.error}</p>`;
  return html`<p class="hint">Short pages for a client's family and friends. A clinician
      attaches them to an emergency contact on the client's record.</p>
    <p><button type="button" id="new-page" class="primary" onClick=${() => go("coaching", "new")}>
      Add a page</button></p>
    <table id="coaching-pages" class="stack">
      <caption class="visually-hidden">Coaching pages</caption>
      <thead><tr><th scope="col">Page</th><th scope="col">Status</th>
        <th scope="col">Last change</th><th scope="col"><span class="visually-hidden">Open</span></th></tr></thead>
      <tbody>${doc.data.pages.map((p) => html`<tr key=${p.id} data-page=${p.id}>
        <td data-label="Page"><strong>${p.title}</strong><br /><span class="hint">${p.summary}</span></td>
        <td data-label="Status">${p.retired ? html`<span class="flag">Retired</span>` : "In use"}</td>
        <td data-label="Last change">${changed(p)}</td>
        <td><a class="button" href=${"#coaching/" + encodeURIComponent(p.id)}
          aria-label=${"Edit " + p.title}>Edit</a>${" "}
          <a href=${"/coaching/" + encodeURIComponent(p.id)} target="_blank"
            aria-label=${"See it: " + p.title + ", as a caregiver does (opens a new tab)"}>See it</a></td>
      </tr>`)}</tbody>
    </table>`;
}

function usePreview(body) {
  const [shown, setShown] = useState({ nodes: [], error: "" });
  useEffect(() => {
    let live = true;
    const timer = setTimeout(async () => {
      if (!body.trim()) { setShown({ nodes: [], error: "" }); return; }
      const r = await call("POST", LIB + "/preview", { body: body.slice(0, BODY_MAX) });
      if (!live) return;
      setShown(r.ok ? { nodes: r.data.nodes, error: "" }
        : { nodes: [], error: "The preview could not be made: " + (r.text || r.status) });
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [body]);
  return shown;
}

function Preview({ form }) {
  const shown = usePreview(form.body);
  return html`<section class="coaching-preview" aria-labelledby="preview-title">
    <h3 id="preview-title">Preview: what the caregiver sees</h3>
    <div class="coaching-page" id="coaching-preview">
      <p class="page-title">${form.title || "(no title yet)"}</p>
      <p class="hint">${form.summary}</p>
      ${shown.error ? html`<p class="error-line">${shown.error}</p>`
        : shown.nodes.length ? drawn(shown.nodes) : html`<p class="hint">Nothing to preview yet.</p>`}
    </div>
  </section>`;
}

export function PageForm({ id }) {
  const isNew = !id;
  const [draft] = useState(() => takeDraft("coaching:" + id) || keptDraft(id));
  const [form, setForm] = useState(draft ? draft.form : isNew ? blank : null);
  const [version, setVersion] = useState(draft ? draft.version : null);
  const [base, setBase] = useState(draft ? draft.base : null);
  const [problems, setProblems] = useState(NO_PROBLEMS);
  const [conflict, setConflict] = useState(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState(draft ? "Your unsaved changes are still here." : "");
  const [loadError, setLoadError] = useState("");
  const [dirty, setDirty] = useState(!!draft);
  const forgetHere = useKeepDraft("coaching:" + id, dirty ? { form, version, base } : null);
  const forget = () => { forgetHere(); keepDraft(id, null); };
  useEffect(() => { keepDraft(id, dirty ? { form, version, base } : null); }, [dirty, form, version]);

  function loaded(page, v) { setBase(page); setForm(textOf(page)); setVersion(v); setDirty(false); }
  useEffect(() => {
    if (isNew || draft) return;
    call("GET", pathOf(LIB, id)).then((r) => (r.ok ? loaded(r.data, r.version)
      : setLoadError(r.status === 404 ? "There is no coaching page " + id + "." : r.text)));
  }, [id]);

  if (loadError) return html`<h2>Coaching page</h2><p class="error-line">${loadError}</p>`;
  if (!form) return html`<h2>Coaching page</h2><p>Loading the page…</p>`;
  const set = (patch) => { setForm((f) => ({ ...f, ...patch })); setDirty(true); };

  function refused(r) {
    const fields = (r.data && r.data.fields) || {};
    const errors = (r.data && r.data.errors) || [r.text || "Tether answered " + r.status];
    setProblems({ fields, errors, tries: problems.tries + 1 });
    setStatus("Not saved: fix the " + (errors.length === 1 ? "problem" : errors.length + " problems") + " listed above.");
  }
  async function save(over, text) {
    const body = text || form;
    setSaving(true);
    setStatus("Saving…");
    const r = isNew ? await call("POST", LIB, { title: body.title, summary: body.summary, body: body.body })
      : await saveDoc(pathOf(LIB, id), body, over === undefined ? version : over);
    setSaving(false);
    if (r.ok) {
      setProblems(NO_PROBLEMS); setConflict(null); setDirty(false); forget();
      if (isNew) return go("coaching", r.data.id);
      loaded(r.data, r.version);
      return setStatus((body.retired && !(base && base.retired) ? "Retired" : "Saved") + " at " + at() + ".");
    }
    if (r.conflict) {
      const { error, ...theirs } = r.conflict;
      setConflict({ message: error, mine: body, theirs: textOf(theirs), full: theirs, version: r.version });
      return setStatus("Not saved: someone else saved this page first.");
    }
    return refused(r);
  }
  const err = (k) => problems.fields[k];
  const length = form.body.length;

  return html`<h2>${isNew ? "New coaching page" : (base && base.title) || id}</h2>
    ${base && base.retired ? html`<p class="flag" id="retired-note">Retired: caregivers no longer see this page, and it cannot be attached.</p>` : null}
    <form class="record coaching-form" novalidate onSubmit=${(e) => { e.preventDefault(); save(); }}>
      ${conflict ? html`<${Conflict} message=${conflict.message} mine=${conflict.mine} theirs=${conflict.theirs}
        onUseTheirs=${() => { loaded(conflict.full, conflict.version); setConflict(null); setStatus("Their version is in the form now."); }}
        onKeepMine=${() => { const v = conflict.version; setVersion(v); setConflict(null); save(v); }} />` : null}
      <${ErrorSummary} errors=${problems.errors} fields=${problems.fields} prefix="coaching" focusKey=${problems.tries} />
      <div class="coaching-edit">
        <fieldset><legend>The page</legend>
          <${TextInput} id="coaching-title" label="Title" value=${form.title} error=${err("title")}
            hint="Short and plain, like Making home safer" onInput=${(v) => set({ title: v })} />
          <${TextInput} id="coaching-summary" label="One-line summary" value=${form.summary}
            error=${err("summary")} hint="Shown under the title in the caregiver's list"
            onInput=${(v) => set({ summary: v })} />
          <${TextInput} id="coaching-body" label="Text" rows=${16} value=${form.body} error=${err("body")}
            hint=${"“## ” starts a heading, “- ” a list item; **bold**, *slanted*, [words](https://…) or " +
              "[call 988](tel:988) for a link. " + length + " of " + BODY_MAX + " characters."}
            onInput=${(v) => set({ body: v })} />
        </fieldset>
        <${Preview} form=${form} />
      </div>
      <${SaveBar} saving=${saving} status=${status} onSave=${() => save()}
        onDiscard=${dirty ? () => { if (base) loaded(base, version); else setForm(blank); setDirty(false); setProblems(NO_PROBLEMS); setStatus("Your changes were discarded."); } : null}
        saveLabel=${isNew ? "Add the page" : "Save changes"} />
      ${isNew ? null : html`<p><button type="button" id="retire-page" disabled=${saving || dirty}
          onClick=${() => save(undefined, { ...form, retired: !form.retired })}>
          ${form.retired ? "Restore this page" : "Retire this page"}</button>
        ${dirty ? html` <span class="hint">Save or discard your changes first.</span>` : null}</p>`}
    </form>`;
}

export function CoachingSection({ route }) {
  if (route) {
    return html`<p class="back"><a href="#coaching">← All coaching pages</a></p>
      <${PageForm} key=${route} id=${route === "new" ? "" : route} />`;
  }
  return html`<h2>Coaching pages</h2><${PageList} />`;
}
