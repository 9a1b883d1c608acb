// Who is signed in, for every staff page. The session is a cookie the page never sees;
// calls that change something carry the session's CSRF token in a header. Nothing secret
// is ever read from or put in the URL. Calls go through the fetch found when this script
// ran (before any other): a script a page loads later (the Jitsi console's external_api.js)
// that wraps window.fetch never sees our headers or bodies.
(function () {
  "use strict";
  const send = window.fetch.bind(window);
  let me = null;

  function signIn() {
    const here = window.location.pathname + window.location.search + window.location.hash;
    window.location.assign("/auth/login?next=" + encodeURIComponent(here));
  }

  // A session that ends mid-page (time-out, signed out elsewhere, removed): say so plainly,
  // keep what is on screen, and offer to sign in again.
  function ended(reason) {
    let bar = document.getElementById("session-ended");
    if (!bar) {
      bar = document.createElement("div");
      bar.id = "session-ended";
      bar.setAttribute("role", "alert");
      bar.className = "session-ended";
      document.body.prepend(bar);
    }
    const again = document.createElement("button");
    again.type = "button";
    again.textContent = "Sign in again";
    again.addEventListener("click", signIn);
    bar.replaceChildren(document.createTextNode("You are signed out: " +
      (reason || "your session ended") + ". "), again);
  }

  async function whoami() {
    if (me) return me;
    const response = await send("/auth/me", { headers: { "Accept": "application/json" } });
    if (response.status === 401) {
      signIn();
      return new Promise(function () {});  // the page is leaving
    }
    if (!response.ok) throw new Error("Tether could not tell who you are (" +
      response.status + ")");
    me = await response.json();
    return me;
  }

  // fetch() with the session: JSON body, the CSRF header on changes, a plain banner on 401.
  // extra: optional headers of the caller's own (If-Match, If-None-Match, a Content-Type
  // such as text/csv); they add to or replace the defaults, never the CSRF header.
  async function call(method, path, body, extra) {
    const headers = Object.assign({ "Content-Type": "application/json" }, extra || {});
    if (method !== "GET" && me && me.csrf) headers["X-CSRF-Token"] = me.csrf;
    const response = await send(path, { method: method, headers: headers,
      body: body === undefined ? undefined : (typeof body === "string" ? body :
        JSON.stringify(body)) });
    if (response.status === 401) ended((await response.clone().text()).split(":")[0]);
    return response;
  }

  async function signOut() {
    await call("POST", "/auth/logout");
    window.location.assign("/auth/signed-out");
  }

  window.tetherAuth = { whoami: whoami, call: call, signIn: signIn, signOut: signOut,
    ended: ended, use: function (session) { me = session; } };
})();
