// Tether admin page: clients, the locale directory, who is on call, break-glass openings,
// for the signed-in admin or clinical lead.
// Everything from the server is rendered with textContent.
(function () {
  "use strict";

  let editing = "";  // the client id the editor saves to

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  async function call(method, path, bodyText) {
    const response = await window.tetherAuth.call(method, path, bodyText);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch (err) { data = null; }
    if (response.status === 401) throw new Error("you are not signed in");
    if (response.status === 403) {
      throw new Error("this page is for program admins and clinical leads (" +
        (text || response.status) + ")");
    }
    return { ok: response.ok, status: response.status, data: data, text: text };
  }

  // "emergency_contacts.0.phone" -> "Emergency contacts, item 1, phone"
  function plainPath(path) {
    const words = path.split(".").map(function (part) {
      return /^[0-9]+$/.test(part) ? "item " + (Number(part) + 1) : part.replace(/_/g, " ");
    });
    const text = words.join(", ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function showErrors(listId, errors) {
    const list = $(listId);
    list.replaceChildren();
    for (const problem of errors) {
      const at = problem.indexOf(": ");
      const path = at > 0 ? problem.slice(0, at) : "";
      const item = el("li");
      if (path) {
        item.append(el("strong", plainPath(path) + ": "));
        item.append(el("span", problem.slice(at + 2) + " "));
        item.append(el("code", path));
      } else {
        item.textContent = problem;
      }
      list.append(item);
    }
  }

  function reviewCell(plan) {
    if (!plan.last_reviewed) return el("td", "not reviewed yet", "flag");
    if (plan.overdue) return el("td", "overdue since " + plan.review_due, "flag");
    return el("td", "reviewed " + plan.last_reviewed + ", due " + plan.review_due);
  }

  const MATCHED = { postal_code: "yes (postal code)", postal_prefix: "yes (postal prefix)",
    city: "yes (city)", region: "yes (region)" };

  function directoryCell(client) {
    if (!client.address_on_file) return el("td", "no address on file", "flag");
    if (!client.directory_match) return el("td", "no 911 center (PSAP) on file", "flag");
    return el("td", MATCHED[client.directory_match] || client.directory_match);
  }

  function clientRow(client) {
    const row = el("tr");
    row.dataset.client = client.id;
    const scopes = client.consent_scopes.length ? " (" + client.consent_scopes.join(", ") + ")"
      : client.contacts ? " (no consent on file)" : "";
    const edit = el("button", "Edit");
    edit.type = "button";
    edit.setAttribute("aria-label", "Edit " + client.id);
    edit.addEventListener("click", function () { openClient(client.id); });
    const action = el("td");
    action.append(edit);
    row.append(el("td", client.name), el("td", client.id), reviewCell(client.safety_plan),
      el("td", client.contacts + scopes), el("td", client.has_code_words ? "yes" : "no"),
      directoryCell(client), action);
    return row;
  }

  async function loadClients() {
    const answer = await call("GET", "/api/admin/clients");
    const body = $("clients").tBodies[0];
    body.replaceChildren(...answer.data.clients.map(clientRow));
    const overdue = answer.data.clients.filter(function (c) { return c.safety_plan.overdue; });
    $("clients-summary").textContent = answer.data.clients.length + " clients; " +
      overdue.length + " safety plan review(s) overdue as of " + answer.data.today + ".";
  }

  function startEditing(id, text) {
    editing = id;
    $("client-id").textContent = id;
    $("client-json").value = text;
    $("client-errors").replaceChildren();
    $("client-json").removeAttribute("aria-invalid");
    $("client-status").textContent = "";
    $("client-editor").hidden = false;
  }

  async function openClient(id) {
    const answer = await call("GET", "/api/admin/clients/" + encodeURIComponent(id));
    if (!answer.ok) { $("client-status").textContent = answer.text; return; }
    startEditing(id, JSON.stringify(answer.data, null, 2));
    $("client-json").focus();
  }

  function newClient() {
    const id = $("new-id").value.trim();
    if (!id) { $("new-id").focus(); return; }
    startEditing(id, JSON.stringify({ id: id, name: "", callback_phone: "+1",
      location: null, emergency_contacts: [], code_words: [] }, null, 2));
  }

  // Save a textarea's JSON with PUT; on any error the admin's text stays as it is.
  async function save(path, textareaId, errorsId, statusId) {
    const text = $(textareaId).value;
    $(statusId).textContent = "";
    try {
      JSON.parse(text);
    } catch (err) {
      showErrors(errorsId, ["The text is not valid JSON, nothing was saved: " + err.message]);
      $(textareaId).setAttribute("aria-invalid", "true");
      return false;
    }
    const answer = await call("PUT", path, text);
    if (!answer.ok) {
      const errors = answer.data && answer.data.errors ? answer.data.errors : [answer.text];
      showErrors(errorsId, errors);
      $(textareaId).setAttribute("aria-invalid", "true");
      $(statusId).textContent = "Not saved: fix the " + errors.length + " problem(s) below.";
      return false;
    }
    showErrors(errorsId, []);
    $(textareaId).removeAttribute("aria-invalid");
    $(statusId).textContent = "Saved at " + new Date().toLocaleTimeString() + ".";
    return true;
  }

  async function saveClient() {
    const path = "/api/admin/clients/" + encodeURIComponent(editing);
    if (await save(path, "client-json", "client-errors", "client-status")) await loadClients();
  }

  async function loadDirectory() {
    const answer = await call("GET", "/api/admin/directory");
    $("directory-json").value = JSON.stringify(answer.data, null, 2);
    showErrors("directory-errors", []);
  }

  async function saveDirectory() {
    const ok = await save("/api/admin/directory", "directory-json", "directory-errors",
      "directory-status");
    if (ok) await loadClients();
  }

  async function loadOnCall() {
    const data = (await call("GET", "/api/admin/oncall")).data;
    $("program").textContent = data.program;
    $("oncall").replaceChildren(...data.on_call_now.map(function (s) {
      return el("li", s.name + " — " + s.phone);
    }));
    $("oncall-source").textContent = (data.source === "schedule"
      ? "From the on-call schedule"
      : "No shift covers now: everyone with the on-call role") +
      " (" + data.local_time.replace("T", " ") + ", " + data.time_zone + ").";
    $("schedule").replaceChildren(...data.schedule.map(function (s) {
      return el("li", s.name + ": " + s.days.join(", ") + " " + s.start + "–" + s.end);
    }));
    if (!data.schedule.length) $("schedule").append(el("li", "No schedule in the program file."));
  }

  async function loadBreakGlass() {
    const data = (await call("GET", "/api/admin/break-glass")).data;
    const rows = (data && data.openings) || [];
    $("breakglass").replaceChildren(...rows.map(function (o) {
      const li = el("li");
      li.append(el("strong", o.staff_name + " opened " + o.client_name),
        document.createTextNode(" on " + new Date(o.at).toLocaleString() + " (" +
          (o.open ? "open until " + new Date(o.until).toLocaleTimeString() : "ended") +
          "). Reason given: " + o.reason));
      return li;
    }));
    if (!rows.length) $("breakglass").append(el("li", "None in the last 30 days."));
  }

  function seconds(spread) {
    if (!spread.count) return "none yet";
    return "median " + Math.round(spread.p50) + " s, 90th percentile " +
      Math.round(spread.p90) + " s, longest " + Math.round(spread.max) + " s (" +
      spread.count + ")";
  }

  function counts(map) {
    const keys = Object.keys(map);
    return keys.length ? keys.map(function (k) { return k.replace(/_/g, " ") + " " + map[k]; })
      .join(", ") : "none";
  }

  async function loadIncidentStats() {
    const answer = await call("GET", "/api/admin/incident-stats");
    const s = answer.data;
    const rows = [["Incidents", s.incidents + " (" + s.open + " open, " + s.emergencies +
      " emergencies)"], ["By trigger", counts(s.by_trigger)], ["By level", counts(s.by_level)],
      ["Disconnect to first call", seconds(s.disconnect_to_first_call_s)],
      ["Emergency to responders called", seconds(s.emergency_to_responders_s)],
      ["Follow-ups overdue", String(s.followups_overdue)]];
    $("incident-stats").replaceChildren(...rows.flatMap(function (r) {
      return [el("dt", r[0]), el("dd", r[1])];
    }));
  }

  async function downloadCsv() {
    const response = await window.tetherAuth.call("GET", "/api/admin/incidents.csv");
    if (!response.ok) throw new Error("the CSV could not be made (" + response.status + ")");
    const link = el("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = "tether-incidents.csv";
    link.click();
  }

  function guard(fn) {
    return function () {
      fn().catch(function (err) { $("error").textContent = "Tether: " + err.message; });
    };
  }

  $("client-save").addEventListener("click", guard(saveClient));
  $("client-reload").addEventListener("click", guard(function () { return openClient(editing); }));
  $("new-client").addEventListener("click", guard(async function () { newClient(); }));
  $("directory-save").addEventListener("click", guard(saveDirectory));
  $("directory-reload").addEventListener("click", guard(loadDirectory));
  $("incidents-csv").addEventListener("click", guard(downloadCsv));

  guard(async function () {
    const me = await window.tetherAuth.whoami();
    $("signed-in").textContent = "Signed in as " + me.name;
    $("sign-out").addEventListener("click", guard(window.tetherAuth.signOut));
    await Promise.all([loadOnCall(), loadClients(), loadDirectory(), loadIncidentStats(),
      loadBreakGlass()]);
    document.body.dataset.ready = "yes";
  })();
})();
