// The client check-in form: posts to /api/checkin with the link's token and shows the
// server's verdict in plain words. Everything shown is set with textContent (no HTML).
"use strict";
(function () {
  const LABELS = {
    "location.street": "street address", "location.city": "city",
    "location.region": "state or region", "location.postal_code": "postal code",
    "location.country": "country (2 letters)", "location.unit": "apartment or unit",
    "location.room": "room", "callback_phone": "phone number (like +13125550111)",
    "others_present": "whether anyone is with you", "emergency_contact_ok": "emergency contact",
  };
  const token = new URLSearchParams(window.location.search).get("t") || "";
  const form = document.getElementById("checkin");
  const message = document.getElementById("message");

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
    };
  }

  function explain(errors) {
    const names = [];
    for (const e of errors) {
      const label = LABELS[e.field] || e.field;
      if (!names.includes(label)) names.push(label);
    }
    return "Please check: " + names.join(", ") + ".";
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    message.textContent = "";
    let response;
    try {
      response = await fetch("/api/checkin?t=" + encodeURIComponent(token), {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body()),
      });
    } catch (err) {
      message.textContent = "We could not reach your care team's server. Please try again.";
      return;
    }
    const data = await response.json().catch(function () { return {}; });
    if (response.ok) {
      form.hidden = true;
      document.getElementById("done").hidden = false;
    } else if (response.status === 400 && Array.isArray(data.errors)) {
      message.textContent = explain(data.errors);
    } else {
      message.textContent = data.error || "Something went wrong. Please try again.";
    }
  });
})();
