// The client check-in form. A texted link (?t=...) reaches it as ?link=<id>: the server
// moved the token into an HttpOnly cookie on the first request (sidecar/checkin/
// link_cookie.py), so this script never sees it and names only the id in its calls.
// Inside a Zoom meeting the token comes from the Zoom bridge: at once when Zoom names the
// client by their account, otherwise after a 6-digit code texted to the number on file
// (the client's first name and last 4 digits only choose whose number to text). It posts
// to /api/checkin and shows the server's verdict in plain words; everything shown is set
// with textContent (no HTML). After checking in, "I've moved" marks the check-in stale
// and brings the form back, filled in, for the new place. "I need a moment" (at the top,
// beside the crisis line) tells only the care team, and thanks the client calmly. "I'm at
// my usual address" fills in the address on the client's record (room and phone are still
// asked). A field the server refuses is marked (aria-invalid, its message by
// aria-describedby) and the first one gets the focus; success is said in a polite region.
"use strict";
(function () {
  const LABELS = {
    "location.street": "street address", "location.city": "city",
    "location.region": "state or region", "location.postal_code": "postal code",
    "location.country": "country (2 letters)", "location.unit": "apartment or unit",
    "location.room": "room", "location": "room", "callback_phone": "phone number",
    "others_present": "whether anyone is with you", "emergency_contact_ok": "emergency contact",
    "note": "the note (500 characters at most)", "privacy": "the privacy questions",
  };
  const FIELDS = ["street", "unit", "city", "region", "postal_code", "country", "room"];
  const ADDRESS = FIELDS.filter(function (name) { return name !== "room"; });
  const INPUT_OF = {  // a server field -> the form's input (radio groups by name)
    "location.street": "street", "location.unit": "unit", "location.city": "city",
    "location.region": "region", "location.postal_code": "postal_code",
    "location.country": "country", "location.room": "room", "location": "room",
    "callback_phone": "callback_phone", "others_present": "others_present",
    "emergency_contact_ok": "emergency_contact_ok", "emergency_contact": "emergency_contact_ok",
    "note": "note",
  };
  const SAY = {
    street: "Please write your street address.", unit: "Please write your apartment or unit.",
    city: "Please write your city.", region: "Please write your state or region.",
    postal_code: "Please write your postal code.",
    country: "Please write your country as 2 letters, like US.",
    room: "Please say which room you are in.",
    callback_phone: "Please write a phone number we can call, like (312) 555-0131.",
    others_present: "Please choose one.", emergency_contact_ok: "Please choose one.",
    note: "Please keep the note to 500 characters.",
  };
  let onFile = null;  // the address on the client's record, for "I'm at my usual address"
  const link = new URLSearchParams(window.location.search).get("link") || "";
  const send = window.fetch.bind(window);  // ours, whatever a later script does to fetch
  let token = "";  // only from the Zoom bridge, in this script's memory
  const form = document.getElementById("checkin");
  const who = document.getElementById("identify");
  const codeForm = document.getElementById("code");
  const message = document.getElementById("message");
  const done = document.getElementById("done");
  const UNREACHABLE = "We could not reach your care team's server. Please try again.";
  let factors = null;    // what the client typed to say who they are (null: Zoom knows)
  let challenge = "";    // the handle of the code we texted

  function show(section) {
    for (const node of [form, who, codeForm, done]) node.hidden = node !== section;
  }

  function fatal(text) {
    show(null);
    document.getElementById("moment-box").hidden = true;
    const node = document.getElementById("fatal");
    const said = String(text);  // the server's words as a sentence
    node.textContent = said.charAt(0).toUpperCase() + said.slice(1) +
      (/[.!?]$/.test(said) ? "" : ".");
    node.hidden = false;
  }

  function value(name) {
    const field = form.elements[name];
    return field ? String(field.value || "").trim() : "";
  }

  function body() {
    const others = form.querySelector("input[name=others_present]:checked");
    return {
      location: {
        street: value("street"), unit: value("unit"), city: value("city"),
        region: value("region"), postal_code: value("postal_code"),
        country: value("country").toUpperCase(), room: value("room"),
      },
      callback_phone: value("callback_phone").replace(/[\s().-]/g, ""),
      emergency_contact_ok:
        form.querySelector("input[name=emergency_contact_ok]:checked").value === "yes",
      others_present: others ? others.value : "",
      note: value("note") || null,
      privacy: privacy(),
    };
  }

  function privacy() {  // the privacy prompts answered: {headphones: true, ...}; none is required
    const out = {};
    for (const input of form.querySelectorAll("input[name^='privacy.']:checked")) {
      out[input.name.slice("privacy.".length)] = input.value === "yes";
    }
    return out;
  }

  function fill(previous) {  // the client's own last check-in, to change what moved
    for (const name of FIELDS) form.elements[name].value = previous.location[name] || "";
    form.elements.callback_phone.value = previous.callback_phone;
    const others = form.querySelector("input[name=others_present][value='" +
      previous.others_present + "']");
    if (others) others.checked = true;
    form.elements.note.value = previous.note || "";
    for (const [key, yes] of Object.entries(previous.privacy || {})) {
      const choice = form.querySelector("input[name='privacy." + key + "'][value=" +
        (yes ? "yes" : "no") + "]");
      if (choice) choice.checked = true;
    }
  }

  function explain(errors) {
    const names = [];
    for (const e of errors) {
      const label = LABELS[e.field] || LABELS[String(e.field).split(".")[0]] || e.field;
      if (!names.includes(label)) names.push(label);
    }
    return "Please check: " + names.join(", ") + ".";
  }

  function url(path) {  // the browser adds the link's cookie to ?link=<id>
    return token ? path : path + "?link=" + encodeURIComponent(link);
  }

  function ask(path, init) {  // the bridge's token in a header: never in a URL or a log
    const options = Object.assign({}, init || {});
    if (token) options.headers = Object.assign({}, options.headers, { "X-Tether-Link": token });
    return send(url(path), options);
  }

  function checkedIn(at, announce) {
    document.getElementById("when").textContent = "Checked in at " +
      new Date(at).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }) +
      ". If you move, tell us here.";
    show(done);
    if (announce) say("announce", "Thank you. You're checked in.");
  }

  function say(id, text) {  // a live region: emptied first, so the same words are said again
    const node = document.getElementById(id);
    node.textContent = "";
    window.setTimeout(function () { node.textContent = text; }, 50);
  }

  function clearErrors() {
    for (const node of form.querySelectorAll(".field-error")) node.remove();
    for (const node of form.querySelectorAll("[aria-invalid]")) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    }
  }

  function markError(name) {  // the message beside the field, tied to it for screen readers
    const inputs = form.querySelectorAll("[name='" + name + "']");
    const id = "error-" + name;
    if (!inputs.length || document.getElementById(id)) return;
    const said = document.createElement("p");
    said.className = "field-error";
    said.id = id;
    said.textContent = SAY[name] || "Please check this answer.";
    const group = inputs[0].type === "radio" ? inputs[0].closest("fieldset") : null;
    if (group) group.querySelector("legend").after(said);
    else inputs[0].closest("label").after(said);
    for (const input of inputs) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    }
  }

  function showErrors(errors) {
    for (const e of errors) markError(INPUT_OF[e.field] || "");
    const first = Array.from(form.elements).find(function (node) {
      return node.getAttribute("aria-invalid") === "true";
    });
    if (first) first.focus();
  }

  document.getElementById("usual").addEventListener("click", function () {
    if (!onFile) return;
    for (const name of ADDRESS) form.elements[name].value = onFile[name] || "";
    say("usual-message", "We filled in the address your care team has. Please check it " +
      "and say which room you are in.");
    form.elements.room.focus();
  });

  async function open() {  // a token in hand: show the form, or "checked in" if done
    const response = await ask("/api/checkin");
    const data = await response.json().catch(function () { return {}; });
    if (response.status === 409 && data.need === "code") return askForCode(data.error);
    if (!response.ok) return fatal(data.error || "This check-in link is not valid.");
    document.getElementById("moment-box").hidden = false;
    onFile = data.on_file || null;
    document.getElementById("usual-box").hidden = !onFile;
    if (data.checkin) fill(data.checkin);
    if (data.checkin && !data.stale) return checkedIn(data.checkin.at_ms);
    show(form);
  }

  async function bridged(call) {  // a bridge call, or null after saying it failed
    try {
      return await call();
    } catch (err) {
      fatal("Tether could not open here: " + err.message);
      return null;
    }
  }

  function welcome(answer) {  // a token from the bridge: open this client's check-in
    token = answer.token;
    const hello = document.getElementById("hello");
    hello.textContent = answer.first_name ? "Hi " + answer.first_name + "." : "";
    hello.hidden = !answer.first_name;
    return open();
  }

  async function start() {  // inside Zoom: does Zoom know this client?
    const answer = await bridged(function () { return window.tetherBridge.clientSession(); });
    if (!answer) return;
    if (answer.token) return welcome(answer);
    if (answer.need === "identify") return show(who);
    fatal(answer.error || "Something went wrong. Please tell your care team.");
  }

  function codeStep(sent, problem) {  // the code form: what we sent, what went wrong
    const entry = document.getElementById("code-entry");
    entry.hidden = !challenge;
    document.getElementById("code-confirm").hidden = !challenge;
    document.getElementById("new-code").textContent = challenge ? "Send a new code"
      : "Text me a code";
    document.getElementById("change-details").hidden = factors === null;
    document.getElementById("code-sent").textContent = sent || "";
    document.getElementById("code-message").textContent = problem || "";
    codeForm.elements.code.value = "";
    show(codeForm);
    if (challenge) codeForm.elements.code.focus();
  }

  function askForCode(why) {  // Zoom knew the client, but the check-in needs the code
    factors = null;
    challenge = "";
    codeStep("", why);
  }

  async function requestCode() {
    const answer = await bridged(function () {
      return window.tetherBridge.requestCode(factors);
    });
    if (!answer) return;
    if (answer.challenge) {
      challenge = answer.challenge;
      return codeStep(answer.message, answer.status === 200 ? "" : answer.error);
    }
    if (answer.need === "identify") {
      show(who);
      document.getElementById("who-message").textContent = answer.status === 400
        ? "Please write your first name and the last 4 digits of your phone number."
        : answer.error || "";
      return;
    }
    const said = codeForm.hidden ? document.getElementById("who-message")
      : document.getElementById("code-message");
    said.textContent = answer.error || "Something went wrong. Please tell your care team.";
  }

  who.addEventListener("submit", function (event) {
    event.preventDefault();
    const said = document.getElementById("who-message");
    const first = String(who.elements.first_name.value).trim();
    const digits = String(who.elements.phone_last4.value).replace(/\D/g, "");
    if (!first || digits.length !== 4) {
      said.textContent = "Please write your first name and the last 4 digits of your " +
        "phone number.";
      return;
    }
    said.textContent = "";
    factors = { first_name: first, phone_last4: digits };
    requestCode();
  });

  codeForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const said = document.getElementById("code-message");
    const typed = String(codeForm.elements.code.value).replace(/[\s-]/g, "");
    if (!/^[0-9]{6}$/.test(typed)) {
      said.textContent = "The code is the 6 digits in the text we sent.";
      return;
    }
    said.textContent = "";
    const answer = await bridged(function () {
      return window.tetherBridge.enterCode(challenge, typed);
    });
    if (!answer) return;
    if (answer.token) return welcome(answer);
    codeForm.elements.code.value = "";
    said.textContent = answer.error || "Something went wrong. Please try again.";
    if (answer.need === "new_code") document.getElementById("new-code").focus();
  });

  document.getElementById("new-code").addEventListener("click", function () {
    document.getElementById("code-message").textContent = "";
    requestCode();
  });

  document.getElementById("change-details").addEventListener("click", function () {
    challenge = "";
    show(who);
    who.elements.first_name.focus();
  });

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    message.textContent = "";
    clearErrors();
    let response;
    try {
      response = await ask("/api/checkin", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body()),
      });
    } catch (err) {
      message.textContent = UNREACHABLE;
      return;
    }
    const data = await response.json().catch(function () { return {}; });
    if (response.ok) {
      checkedIn(data.checked_in_at, true);
    } else if (response.status === 409 && data.need === "code") {
      askForCode(data.error);
    } else if (response.status === 400 && Array.isArray(data.errors)) {
      message.textContent = explain(data.errors);
      showErrors(data.errors);
    } else {
      message.textContent = data.error || "Something went wrong. Please try again.";
    }
  });

  document.getElementById("moved").addEventListener("click", async function () {
    const said = document.getElementById("moved-message");
    said.textContent = "";
    const response = await ask("/api/checkin/moved", { method: "POST" })
      .catch(function () { return null; });
    if (!response || !response.ok) {
      said.textContent = "We could not reach your care team's server. Please try again.";
      return;
    }
    form.elements.room.value = "";
    show(form);
    message.textContent = "Where are you now? Change what is different and check in again.";
    form.elements.street.focus();
  });

  document.getElementById("moment").addEventListener("click", async function () {
    const said = document.getElementById("moment-message");
    said.textContent = "";
    const response = await ask("/api/checkin/moment", { method: "POST" })
      .catch(function () { return null; });
    const data = response ? await response.json().catch(function () { return {}; }) : {};
    said.textContent = response && response.ok ? data.message
      : (response && data.error ? data.error + " If you are not safe, call or text " +
        document.querySelector(".crisis-line").textContent + "."
        : "We could not reach your care team's server. Please try again.");
  });

  if (link) {
    open().catch(function () { fatal("We could not reach your care team's server."); });
  } else if (window.tetherBridge && window.tetherBridge.clientSession) {
    start();
  } else {
    fatal("This page needs the link your care team sent you.");
  }
})();
