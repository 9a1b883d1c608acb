// The printable incident report: the JSON export rendered as tables. Text only (no HTML
// from data), for the signed-in person.
"use strict";
(function () {
  const id = decodeURIComponent(window.location.pathname.split("/")[2] || "");
  const main = document.getElementById("report");

  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function time(ms) { return ms ? new Date(ms).toLocaleString() : ""; }
  // A table named by its caption, in a region that scrolls sideways on a narrow screen
  // (the page itself does not); "None." when there is nothing to list.
  function table(caption, head, rows) {
    if (!rows.length) return el("p", caption + ": none.");
    const t = el("table");
    t.append(el("caption", caption));
    const headRow = el("tr");
    for (const h of head) {
      const cell = el("th", h);
      cell.scope = "col";
      headRow.append(cell);
    }
    const thead = el("thead");
    thead.append(headRow);
    const body = el("tbody");
    for (const r of rows) {
      const row = el("tr");
      for (const c of r) row.append(el("td", c));
      body.append(row);
    }
    t.append(thead, body);
    const wrap = el("div");
    wrap.className = "table-scroll";
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", caption);
    wrap.tabIndex = 0;
    wrap.append(t);
    return wrap;
  }

  async function load() {
    await window.tetherAuth.whoami();
    const response = await window.tetherAuth.call("GET", "/api/incidents/" +
      encodeURIComponent(id));
    if (!response.ok) {
      main.replaceChildren(el("h1", "Incident report"), el("p", "This report could not be " +
        "opened (" + response.status + "): open it again from the panel."));
      return;
    }
    const i = await response.json();
    const found = await window.tetherAuth.call("GET", "/api/incidents/" +
      encodeURIComponent(id) + "/people");
    const people = found.ok ? await found.json() : { staff: {}, client: {}, group: "" };
    // people read names: staff ids (and "by lead-avery" in a sentence) become names
    function who(staffId) { return people.staff[staffId] || staffId || ""; }
    function named(text) {
      return String(text || "").replace(/\bby ([A-Za-z0-9_.-]+)/g, function (all, sid) {
        return people.staff[sid] ? "by " + people.staff[sid] : all;
      });
    }
    const clientName = (people.client && people.client.name) || i.client;
    // a log entry's detail in words: "calls responders: Morgan Ostrander; reason: none"
    function detail(value) {
      if (value === null || value === undefined || value === "") return "none";
      if (Array.isArray(value)) return value.map(detail).join(", ") || "none";
      if (typeof value === "object") {
        return Object.keys(value).map(function (k) {
          return k.replace(/_/g, " ") + ": " + detail(value[k]);
        }).join("; ");
      }
      const text = String(value);
      if (text === i.client) return clientName;
      return people.staff[text] || named(text).replace(/_/g, " ");
    }
    main.replaceChildren(
      el("h1", "Incident report: " + clientName),
      el("p", (people.group || "Meeting " + i.meeting_number) + " · trigger " +
        i.trigger.replace(/_/g, " ") + " · level " + (i.level || "not screened") + " · opened " +
        time(i.opened_ms) + (i.closed_ms ? " · closed " + time(i.closed_ms) : " · OPEN")),
      el("h2", "Timeline"),
      table("Everything that happened, in order", ["when", "who", "what", "detail"], i.log.map(function (e) {
        return [time(e.at_ms), who(e.by), e.what.replace(/_/g, " "), detail(e.detail)];
      })),
      el("h2", "Safety checks"),
      table("Safety checks", ["when", "who", "tier", "level", "yes to items"], i.screens.map(function (s) {
        const yes = Object.keys(s.answers).filter(function (k) { return s.answers[k]; });
        return [time(s.at_ms), who(s.by), s.tier, s.level, yes.join(", ") || "none"];
      })),
      el("h2", "Checklist"),
      table("Checklist", ["item", "due", "done"], i.checklist.map(function (c) {
        const t = i.ticks[c.key];
        return [c.title, time(c.due_ms), t ? time(t.at_ms) + " by " + who(t.by) : "not done"];
      })),
      el("h2", "Emergency protocol"),
      table("Emergency protocol steps", ["step", "done"], Object.keys(i.steps).map(function (k) {
        return [k.replace(/_/g, " "), time(i.steps[k].at_ms) + " by " + who(i.steps[k].by)];
      })),
      el("h2", "Contacts and disclosures"),
      table("Contacts", ["when", "who", "contact", "decision"], i.contacts.map(function (c) {
        return [time(c.at_ms), who(c.by), c.contact, named(c.decision.reason)];
      })),
      table("Disclosures", ["to", "affiliation", "kind", "by", "when", "nature"], i.disclosures.map(function (d) {
        return [d.recipient_name, d.recipient_affiliation, d.recipient_kind, who(d.disclosed_by),
          d.disclosed_at, d.nature_of_emergency];
      })),
      el("h2", "Warm handoff"),
      el("pre", i.handoff ? i.handoff.summary : "none"),
      el("h2", "Documentation"),
      el("pre", i.documentation ? "Risk assessment: " + i.documentation.risk_assessment +
        "\nInterventions: " + i.documentation.interventions + "\nOutcome: " +
        i.documentation.outcome : "not yet written"),
      el("h2", "Follow-ups"),
      table("Follow-ups", ["task", "due", "status"], i.tasks.map(function (t) {
        return [t.task.title, time(t.task.due_ms), t.done ? "done " + time(t.done.at_ms) :
          (t.overdue_alerted_ms ? "OVERDUE" : "open")];
      })));
    document.title = "Incident report: " + clientName;
    window.tetherReportReady = true;
  }

  load().catch(function (err) {
    main.replaceChildren(el("h1", "Incident report"), el("p", "Error: " + err.message));
  });
})();
