// The panel's incident work: silent alerts (code word, "I need a moment", outside the
// licensed area, overdue follow-ups), the collaborative safety check (C-SSRS screener,
// since last contact, items verbatim with skip logic), its checklist, the emergency
// protocol (roles, the emergency card, steps, contacts within consent, handoff) and
// closing. Every platform or record string is set with textContent, never as HTML.
"use strict";
(function () {
  const P = function () { return window.tetherPanel; };
  const box = function () { return document.getElementById("incident"); };
  let current = null;   // the incident shown
  let instrument = null;
  let script = "";      // "secure the group", from the emergency's start

  function el(tag, text, cls) { return P().el(tag, text, cls); }

  function button(text, cls, work) {
    const b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", async function () {
      b.disabled = true;
      try {
        await work();
      } catch (err) {
        P().say(err.message);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  }

  async function call(method, path, body) {
    const response = await window.tetherAuth.call(method, path, body);
    const text = await response.text();
    let data = {};
    try { data = JSON.parse(text); } catch (e) { data = { error: text }; }
    return { ok: response.ok, status: response.status, data: data };
  }

  async function must(method, path, body) {
    const r = await call(method, path, body);
    if (!r.ok) throw new Error(r.data.error || r.data.reason || ("HTTP " + r.status));
    return r.data;
  }

  function when(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function alertCard(kind, client, text, trigger) {
    const card = el("div", undefined, "alert silent");
    card.dataset.kind = kind;
    card.dataset.client = client || "";
    card.append(el("strong", text), el("div", "Silent: nobody in the group sees this.", "hint"));
    if (client) {
      card.append(button("Safety check", "", function () { return open(client, trigger); }));
    }
    document.getElementById("alerts").prepend(card);
  }

  // ---- opening and the screener ------------------------------------------------------
  async function open(client, trigger) {
    const s = P().session;
    current = await must("POST", "/api/meetings/" + encodeURIComponent(s.meeting) +
      "/clients/" + encodeURIComponent(client) + "/incidents", { trigger: trigger });
    if (!instrument) instrument = await must("GET", "/api/cssrs");
    render();
  }

  function screener(target) {
    const form = el("form", undefined, "screener");
    form.append(el("h3", "Safety check: C-SSRS " + instrument.version));
    const answers = {};
    const rows = {};
    function visible() {
      for (const n of instrument.if_item_2_yes) {
        rows[n].hidden = answers[2] !== true;
        if (rows[n].hidden) delete answers[n];
      }
    }
    for (const item of instrument.items) {
      const row = el("fieldset", undefined, "item");
      row.dataset.item = item.number;
      row.append(el("legend", item.number + ". " + item.text));
      for (const [label, value] of [["Yes", true], ["No", false]]) {
        const choice = el("label");
        const input = el("input");
        input.type = "radio";
        input.name = "item" + item.number;
        input.value = label.toLowerCase();
        input.addEventListener("change", function () { answers[item.number] = value; visible(); });
        choice.append(input, " " + label);
        row.append(choice);
      }
      rows[item.number] = row;
      form.append(row);
    }
    const judge = el("fieldset", undefined, "imminence");
    judge.append(el("legend", "Your judgement of imminence (turns a high screen into an " +
      "emergency)"));
    const flags = {};
    for (const [key, label] of [["plan", "has a plan"], ["means", "has access to means"],
      ["intent", "intends to act"], ["timeframe", "soon (today)"],
      ["attempt_in_progress", "attempt in progress"]]) {
      const choice = el("label");
      const input = el("input");
      input.type = "checkbox";
      input.name = key;
      input.addEventListener("change", function () { flags[key] = input.checked; });
      choice.append(input, " " + label);
      judge.append(choice);
    }
    form.append(judge, el("p", instrument.copyright, "copyright"));
    const said = el("p", "", "said");
    form.append(said, button("Score the screen", "primary", async function () {
      said.textContent = "";
      const r = await call("POST", "/api/incidents/" + current.id + "/screens",
        { answers: answers, imminence: flags });
      if (!r.ok) {
        said.textContent = r.data.error || "Answer each question shown.";
        return;
      }
      current = r.data;
      render();
    }));
    visible();
    target.append(form);
  }

  // ---- the incident view -------------------------------------------------------------
  function render() {
    const target = box();
    target.replaceChildren();
    target.hidden = false;
    const i = current;
    const head = el("div", undefined, "head");
    head.append(el("h2", (i.emergency_ms ? "EMERGENCY: " : "Incident: ") +
      P().clientName(i.client)), button("Hide", "", async function () { target.hidden = true; }));
    target.append(head);
    if (i.level) {
      target.append(el("p", "Level: " + i.level.toUpperCase(), "level " + i.level));
    }
    if (!i.closed_ms && (!i.screens.length || i.level !== "emergency")) screener(target);
    if (i.checklist.length) checklist(target, i);
    if (!i.closed_ms && !i.emergency_ms && (i.level === "emergency" || i.level === "high")) {
      target.append(button("Start the emergency protocol", "danger start-emergency",
        async function () {
          current = await must("POST", "/api/incidents/" + i.id + "/emergency");
          render();
        }));
    }
    if (i.emergency_ms) protocol(target, i);
    if (!i.closed_ms) closer(target, i);
    if (i.closed_ms) followups(target, i);
    const report = el("a", "Printable report", "report");
    report.href = "/incidents/" + encodeURIComponent(i.id) + "/report";
    report.target = "_blank";
    target.append(report);
  }

  function checklist(target, i) {
    const list = el("ul", undefined, "checklist");
    for (const c of i.checklist) {
      const done = i.ticks[c.key];
      const li = el("li", undefined, done ? "done" : (Date.now() > c.due_ms ? "late" : ""));
      li.dataset.key = c.key;
      li.append(el("span", c.title), el("span", done ? " ✓ " + when(done.at_ms) + " " +
        done.by : " due " + when(c.due_ms), "due"));
      if (!done && !i.closed_ms) {
        li.append(button("Done", "tick", async function () {
          current = await must("POST", "/api/incidents/" + i.id + "/checklist/" + c.key, {});
          render();
        }));
      }
      list.append(li);
    }
    target.append(el("h3", "Checklist"), list);
  }

  function protocol(target, i) {
    const me = P().session.staff;
    const role = i.roles.keeps_client_visible === me ? "lead" :
      (i.roles.calls_responders === me ? "caller" : "other");
    const say = { lead: "You keep " + P().clientName(i.client) + " on screen and talking. " +
        "Do not end the call.",
      caller: "You call responders: the card below says whom and where.",
      other: "Secure the group: the lead is with the client, the co-facilitator calls." };
    target.append(el("p", say[role], "role " + role));
    if (role !== "lead" && script) {
      const secure = el("div", undefined, "secure-group");
      secure.append(el("strong", "Secure the group"), el("p", script));
      target.append(secure);
    }
    const steps = el("ul", undefined, "steps");
    for (const [key, title] of [["keep_visible", "Client kept on screen"],
      ["call_responders", "Responders called"], ["notify_contact", "Emergency contact told"],
      ["warm_handoff", "Warm handoff done"]]) {
      const done = i.steps[key];
      const li = el("li", title + (done ? " ✓ " + when(done.at_ms) + " " + done.by : ""),
        done ? "done" : "");
      li.dataset.step = key;
      if (!done && !i.closed_ms) {
        li.append(" ", button("Done", "tick", async function () {
          current = await must("POST", "/api/incidents/" + i.id + "/steps/" + key, {});
          render();
        }));
      }
      steps.append(li);
    }
    target.append(el("h3", "Steps"), steps);
    const card = el("div", "loading the emergency card…", "card");
    target.append(card);
    emergencyCard(card, i).catch(function (err) { card.textContent = err.message; });
    handoff(target, i);
  }

  async function emergencyCard(card, i) {
    const c = await must("GET", "/api/incidents/" + i.id + "/card");
    card.replaceChildren(el("h3", "Emergency card"), el("p", c.whom_to_call, "whom"));
    const facts = el("dl");
    const r = c.responders;
    for (const [label, value] of [["Client", c.name], ["Address", c.address],
      ["Room", c.room], ["Source", c.location_source], ["Callback", c.callback_phone],
      ["With them", c.who_is_present], ["Client's note", c.client_note],
      ["Household", c.household],
      ["Guardian", c.guardian], ["Known risks", c.known_risks],
      ["Medical", c.medical_notes], ["Access", c.access_notes], ["Pets", c.pets],
      ["Travel time", c.rural_travel_minutes ? c.rural_travel_minutes + " min" : ""],
      ["Non-police first", c.prefer_non_police ? "yes: ask for the mobile crisis team" : ""],
      ["Mobile crisis", r.mobile_crisis], ["Crisis line", r.crisis_line],
      ["Nearest ED", r.nearest_ed], ["Non-police options", r.non_police_options.join("; ")],
      ["Directory", r.note], ["After-hours line", r.after_hours_line],
      ["On call now", c.on_call.map(function (s) { return s.name + " " + s.phone; })
        .join("; ")]]) {
      if (!value) continue;
      facts.append(el("dt", label), el("dd", value));
    }
    card.append(facts);
    for (const person of c.contacts) contactRow(card, i, person);
    card.append(safetyPlan(c.safety_plan));
  }

  function safetyPlan(plan) {
    const details = el("details", undefined, "safety-plan");
    details.append(el("summary", "Safety plan" + (plan.last_reviewed ? " (reviewed " +
      plan.last_reviewed + ")" : " (never reviewed)")));
    for (const [key, title] of [["warning_signs", "Warning signs"],
      ["coping_on_my_own", "Coping on my own"],
      ["people_and_places_that_help", "People and places that help"],
      ["people_to_ask_for_help", "People to ask for help"],
      ["professionals_and_crisis_lines", "Professionals and crisis lines"],
      ["making_home_safer", "Making the home safer"],
      ["reasons_for_living", "Reasons for living"]]) {
      if (!plan[key] || !plan[key].length) continue;
      const list = el("ul");
      for (const line of plan[key]) list.append(el("li", line));
      details.append(el("h4", title), list);
    }
    return details;
  }

  function contactRow(card, i, person) {
    const row = el("div", undefined, "contact");
    row.append(el("span", person.name + " (" + (person.relation || "contact") + ")" +
      (person.speaks_to_responders ? ", speaks to responders" : "")));
    const said = el("div", "", "said");
    row.append(button("Notify of the crisis", "notify", async function () {
      const r = await call("POST", "/api/incidents/" + i.id + "/contacts",
        { contact: person.name, purpose: "notify_crisis" });
      if (r.ok) {
        said.textContent = "Allowed (" + r.data.reason + "): call " + r.data.phone;
        return;
      }
      said.textContent = "Not allowed: " + (r.data.reason || r.data.error) +
        ". To override, give the legal basis and the reason:";
      overrideForm(said, i, person);
    }), said);
    card.append(row);
  }

  function overrideForm(target, i, person) {
    const basis = el("select");
    for (const [value, label] of [["hipaa_164_512_j", "serious and imminent threat (HIPAA)"],
      ["duty_to_protect", "duty to protect"], ["hipaa_164_510_b", "involvement in care"],
      ["other", "other"]]) {
      const o = el("option", label);
      o.value = value;
      basis.append(o);
    }
    const reason = el("input");
    reason.placeholder = "why, in a sentence";
    target.append(basis, reason, button("Override and notify", "danger", async function () {
      const r = await call("POST", "/api/incidents/" + i.id + "/contacts", {
        contact: person.name, purpose: "notify_crisis", override_basis: basis.value,
        override_reason: reason.value });
      target.textContent = r.ok ? "Override recorded: call " + r.data.phone :
        "Still not allowed: " + (r.data.reason || r.data.error);
    }));
  }

  function handoff(target, i) {
    const facility = el("input");
    facility.placeholder = "receiving facility";
    const out = el("pre", i.handoff ? i.handoff.summary : "", "handoff");
    target.append(el("h3", "Warm handoff"), facility, button("Write the handoff summary", "",
      async function () {
        const r = await must("POST", "/api/incidents/" + i.id + "/handoff",
          { facility: facility.value });
        out.textContent = r.summary;
        current = r.incident;
      }), out);
  }

  function closer(target, i) {
    const form = el("div", undefined, "close");
    const fields = {};
    for (const [key, label] of [["risk_assessment", "Risk assessment"],
      ["interventions", "Interventions"], ["outcome", "Outcome"]]) {
      const area = el("textarea");
      area.name = key;
      fields[key] = area;
      form.append(el("label", label), area);
    }
    const said = el("p", "", "said");
    form.append(said, button("Close the incident", "", async function () {
      const doc = {};
      for (const key in fields) doc[key] = fields[key].value.trim();
      const r = await call("POST", "/api/incidents/" + i.id + "/close", { documentation: doc });
      if (!r.ok) {
        said.textContent = "Please write the risk assessment, interventions and outcome.";
        return;
      }
      current = r.data;
      render();
    }));
    target.append(el("h3", "Close with documentation"), form);
  }

  function followups(target, i) {
    const list = el("ul", undefined, "followups");
    for (const t of i.tasks) {
      list.append(el("li", t.task.title + (t.done ? " ✓" : " due " +
        new Date(t.task.due_ms).toLocaleString()), t.done ? "done" : ""));
    }
    target.append(el("h3", "Follow-ups"), list);
  }

  // ---- the live stream ---------------------------------------------------------------
  window.addEventListener("tether:entry", async function (event) {
    const kind = event.detail.kind;
    const d = event.detail.data || {};
    if (kind === "alert.code_word") {
      alertCard("code-word", d.client, "Code word" + (d.client ? " from " +
        P().clientName(d.client) : "") + " (" + d.source + ").", "code_word");
    } else if (kind === "alert.need_moment") {
      alertCard("need-moment", d.client, P().clientName(d.client) + " asked for a moment.",
        "need_moment");
    } else if (kind === "alert.outside_license") {
      alertCard("outside-license", d.client, P().clientName(d.client) +
        " checked in from outside the program's licensed area (" + d.region + ").", "clinician");
    } else if (kind === "alert.followup_overdue") {
      alertCard("followup-overdue", "", "Overdue follow-up for " + P().clientName(d.client) +
        ": " + d.title + ".", "");
    } else if (kind === "emergency.started" || kind === "emergency.step" ||
               kind === "incident.checked" || kind === "incident.closed") {
      if (kind === "emergency.started") {
        script = d.script || "";
        current = await must("GET", "/api/incidents/" + d.incident);
        render();
      } else if (current && current.id === d.incident && !box().hidden) {
        current = await must("GET", "/api/incidents/" + d.incident);
        render();
      }
    }
  });

  window.tetherIncidents = { open: open };
})();
