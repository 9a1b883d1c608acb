// Groups: each group the program runs, where it meets (a Zoom meeting, a Jitsi room or
// both), when it meets each week, who leads it, which clients are expected, and what a
// dropped client is texted. People are picked by name from the staff and client lists.
import { html } from "/static/vendor/preact-htm.js";
import { ChoiceBoxes, DayBoxes, NotYet, TimeInput, focusSoon, problemAt, useAnswer, useConfigBody,
  useConfigForm } from "./configform.js";
import { Conflict, ErrorSummary, SaveBar, Select, TextInput, fieldId } from "./fields.js";

const NEW_GROUP = { name: "", zoom_meeting_id: null, jitsi_room: null, lead: "",
  co_facilitator: null, expected_clients: [], connection_lost_responder: null, join_url: null,
  dial_in: null, schedule: [], time_zone: null };

const NEW_SESSION = { days: [], start: "18:00", end: "19:30" };

function zones(current) {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return current && !all.includes(current) ? [current, ...all] : all;
}

function people(staff, none) {
  const sorted = [...(staff || [])].sort((a, b) => a.name.localeCompare(b.name));
  return [none, ...sorted.map((s) => ({ value: s.id,
    label: s.name + (s.active === false ? " (not active)" : "") }))];
}

function optional(text) {
  return text.trim() ? text : null;
}

function Session({ s, i, n, group, setGroup, err }) {
  const path = i + ".schedule." + n;
  const at = (f) => fieldId("groups", path + "." + f);
  const set = (patch) => setGroup({ schedule: group.schedule.map((x, k) => (k === n ? { ...x, ...patch } : x)) });
  return html`<li class="session"><fieldset class="row"><legend>Session ${n + 1}</legend>
    <${DayBoxes} id=${at("days")} legend="Days" days=${s.days} error=${err(path + ".days")}
      onChange=${(days) => set({ days })} />
    <div class="inline">
      <${TimeInput} id=${at("start")} label="Starts" value=${s.start} error=${err(path + ".start")}
        onChange=${(start) => set({ start })} />
      <${TimeInput} id=${at("end")} label="Ends" value=${s.end} error=${err(path + ".end")}
        onChange=${(end) => set({ end })} />
    </div>
    <button type="button" class="remove" onClick=${() =>
      setGroup({ schedule: group.schedule.filter((_, k) => k !== n) })}>Remove session ${n + 1}</button>
  </fieldset></li>`;
}

function Schedule({ group, i, setGroup, err, programZone }) {
  const tz = fieldId("groups", i + ".time_zone");
  return html`<fieldset class="schedule" id=${fieldId("groups", i + ".schedule")} tabindex="-1">
    <legend>When it meets each week</legend>
    ${group.schedule.length ? null : html`<p class="hint">No sessions yet.</p>`}
    <ol class="sessions">${group.schedule.map((s, n) => html`<${Session} key=${n} s=${s} i=${i}
      n=${n} group=${group} setGroup=${setGroup} err=${err} />`)}</ol>
    <p><button type="button" onClick=${() => { setGroup({ schedule: [...group.schedule,
      { ...NEW_SESSION, days: [] }] });
      focusSoon(fieldId("groups", i + ".schedule." + group.schedule.length + ".days-mon")); }}>
      Add a session</button></p>
    <${Select} id=${tz} label="Time zone of these times" value=${group.time_zone || ""}
      error=${err(i + ".time_zone")}
      options=${[{ value: "", label: "Program's: " + programZone },
        ...zones(group.time_zone).map((z) => ({ value: z, label: z }))]}
      onChange=${(v) => setGroup({ time_zone: v || null })} />
  </fieldset>`;
}

function Group({ group, i, form, staff, clients, programZone }) {
  const at = (f) => fieldId("groups", i + "." + f);
  const err = (path) => problemAt(form.fields, path);
  const e = (f) => err(i + "." + f);
  const setGroup = (patch) => form.setDraft((gs) => gs.map((g, j) => (j === i ? { ...g, ...patch } : g)));
  group = { ...NEW_GROUP, ...group, schedule: group.schedule || [] };
  const known = new Set(clients.map((c) => c.id));
  const clientOptions = [...clients.map((c) => ({ value: c.id, label: c.name })),
    ...group.expected_clients.filter((c) => !known.has(c)).map((c) => ({ value: c, label: c }))];
  const label = group.name || "New group";
  return html`<li class="card" data-group=${group.name}><fieldset class="row"><legend>${label}</legend>
    ${form.fields[String(i)] ? html`<p class="field-error" role="note">${form.fields[String(i)]}</p>` : null}
    <${TextInput} id=${at("name")} label="Name" value=${group.name} error=${e("name")}
      onInput=${(name) => setGroup({ name })} />
    <fieldset class="platform"><legend>Where it meets (one or both)</legend>
      <${TextInput} id=${at("zoom_meeting_id")} label="Zoom meeting id" optional inputmode="numeric"
        value=${group.zoom_meeting_id} error=${e("zoom_meeting_id")}
        hint="9 to 12 digits, from the meeting's link (zoom.us/j/…)."
        onInput=${(v) => setGroup({ zoom_meeting_id: optional(v.replace(/\s/g, "")) })} />
      <${TextInput} id=${at("jitsi_room")} label="Jitsi room" optional value=${group.jitsi_room}
        error=${e("jitsi_room")} hint="Lowercase letters, digits, - and _ (3 to 64)."
        onInput=${(v) => setGroup({ jitsi_room: optional(v) })} />
    </fieldset>
    <${Schedule} group=${group} i=${i} setGroup=${setGroup} err=${err} programZone=${programZone} />
    <${Select} id=${at("lead")} label="Lead clinician" value=${group.lead || ""} error=${e("lead")}
      options=${people(staff, { value: "", label: "Choose who leads it" })}
      onChange=${(lead) => setGroup({ lead })} />
    <${Select} id=${at("co_facilitator")} label="Co-facilitator" value=${group.co_facilitator || ""}
      error=${e("co_facilitator")} options=${people(staff, { value: "", label: "Nobody" })}
      onChange=${(v) => setGroup({ co_facilitator: v || null })} />
    <${Select} id=${at("connection_lost_responder")} label="Connection-lost responder"
      value=${group.connection_lost_responder || ""} error=${e("connection_lost_responder")}
      hint="Who a dropped client who presses 1 on our call is put through to."
      options=${people(staff, { value: "", label: "The co-facilitator, else whoever is on call" })}
      onChange=${(v) => setGroup({ connection_lost_responder: v || null })} />
    <${ChoiceBoxes} id=${at("expected_clients")} legend="Expected clients"
      options=${clientOptions} chosen=${group.expected_clients} error=${e("expected_clients")}
      hint=${clientOptions.length ? "" : "No client records yet."}
      onChange=${(v) => setGroup({ expected_clients: v })} />
    <${TextInput} id=${at("join_url")} label="Join link" optional type="url" value=${group.join_url}
      error=${e("join_url")} hint="Texted to a dropped client so they can rejoin; starts with https://."
      onInput=${(v) => setGroup({ join_url: optional(v) })} />
    <${TextInput} id=${at("dial_in")} label="Dial-in number" optional type="tel" value=${group.dial_in}
      error=${e("dial_in")} hint="The meeting's phone line, put in the connection-lost text; like +13125550150."
      onInput=${(v) => setGroup({ dial_in: optional(v) })} />
    <button type="button" class="remove" onClick=${() =>
      form.setDraft((gs) => gs.filter((_, j) => j !== i))}>Remove ${label}</button>
  </fieldset></li>`;
}

function check(groups) {
  const found = {};
  groups.forEach((g, i) => {
    if (!g.lead) found[i + ".lead"] = "choose who leads this group";
    (g.schedule || []).forEach((s, n) => {
      if (!s.days.length) found[i + ".schedule." + n + ".days"] = "tick at least one day";
    });
  });
  return found;
}

export function GroupsSection() {
  const form = useConfigForm("groups", { check });
  const staff = useConfigBody("staff");
  const program = useConfigBody("program");
  const clients = useAnswer("/api/admin/clients");
  if (form.draft === null) return html`<${NotYet} title="Groups" id="groups-title" doc=${form.doc} />`;
  const list = (clients.data && clients.data.clients) || [];
  return html`<h2 id="groups-title">Groups</h2>
    <p class="hint">Each group the program runs. Tether watches these meetings and rooms;
      times are wall-clock times of the group's time zone.</p>
    ${clients.error ? html`<p class="error-line">The client list could not be read: ${clients.error}</p>` : null}
    <${ErrorSummary} errors=${form.errors} fields=${form.fields} prefix="groups"
      focusKey=${form.tries} />
    ${form.conflict ? html`<${Conflict} message=${form.conflict.error} mine=${form.mine()}
      theirs=${form.conflict.body} onUseTheirs=${form.useTheirs} onKeepMine=${form.keepMine} />`
      : null}
    <ul class="cards" aria-labelledby="groups-title">
      ${form.draft.map((g, i) => html`<${Group} key=${i} group=${g} i=${i} form=${form}
        staff=${staff} clients=${list} programZone=${program ? program.time_zone : "…"} />`)}
    </ul>
    <p><button type="button" onClick=${() => { form.setDraft((gs) => [...gs, { ...NEW_GROUP }]);
      focusSoon(fieldId("groups", form.draft.length + ".name")); }}>
      Add a group</button></p>
    <${SaveBar} saving=${form.saving} status=${form.status} onSave=${form.save}
      onDiscard=${form.discard} saveLabel="Save groups" />
    <p class="hint">${form.savedBy()}</p>`;
}
