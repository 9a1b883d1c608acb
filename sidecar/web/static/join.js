// The client's join page for a Jitsi group: checkin.js runs the check-in form; once the
// client is checked in ("#done" shows) this asks Tether for the room's join token (409
// until checked in), loads the deployment's IFrame API and embeds the meeting. While in
// the meeting it heartbeats every few seconds with the participant id from
// videoConferenceJoined, so Tether notices a dropped connection within seconds; a
// deliberate leave (videoConferenceLeft, readyToClose, closing the page) is reported so it
// starts no callback. A move between the main and a breakout room is a videoConferenceLeft
// followed by a videoConferenceJoined with the same id: a leave is reported only if no join
// follows within MOVE_WINDOW_MS. Everything shown is set with textContent. The link's
// token is an HttpOnly cookie (the page's URL names only ?link=<id>), and the calls go
// through the fetch this script found at load: the deployment's external_api.js, loaded
// later, sees no credential of ours whatever it wraps or reads.
"use strict";
(function () {
  const MOVE_WINDOW_MS = 4000;
  const link = new URLSearchParams(window.location.search).get("link") || "";
  const send = window.fetch.bind(window);
  const beacon = navigator.sendBeacon.bind(navigator);
  const page = Math.random().toString(36).slice(2, 12) + Date.now().toString(36);
  const done = document.getElementById("done");
  const status = document.getElementById("join-status");
  const rejoin = document.getElementById("rejoin");
  let seq = 0;
  let api = null;
  let grant = null;
  let me = null;  // {participant, display_name} while in the meeting
  let timer = null;
  let joining = false;
  let pendingLeave = null;  // a videoConferenceLeft that may be a room move

  function url(path) {  // the browser adds the link's cookie
    return path + "?link=" + encodeURIComponent(link);
  }

  function say(text) {
    document.getElementById("join-message").textContent = text;
  }

  function whenCheckedIn(then) {
    if (!done.hidden) return then();
    const watch = new MutationObserver(function () {
      if (done.hidden) return;
      watch.disconnect();
      then();
    });
    watch.observe(done, { attributes: true, attributeFilter: ["hidden"] });
  }

  function loadApi(domain) {
    if (window.JitsiMeetExternalAPI) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = "https://" + domain + "/external_api.js";
      script.onload = resolve;
      script.onerror = function () { reject(new Error("the meeting could not load")); };
      document.head.appendChild(script);
    });
  }

  async function join() {
    if (joining) return;
    joining = true;
    say("");
    const response = await send(url("/api/jitsi/join"), { method: "POST" })
      .catch(function () { return null; });
    const data = response ? await response.json().catch(function () { return {}; }) : {};
    joining = false;
    if (response && response.status === 409) return whenCheckedIn(join);
    if (!response || !response.ok) {
      offerRetry("Try again");
      return say(data.error || "We could not reach your care team's server. Please try again.");
    }
    grant = data;
    try {
      await loadApi(grant.domain);
    } catch (err) {
      offerRetry("Try again");
      return say("The meeting could not load. Check your connection and try again.");
    }
    embed();
  }

  function offerRetry(text) {  // beneath the message, whether or not the meeting shows
    rejoin.textContent = text;
    rejoin.hidden = false;
  }

  function embed() {
    document.body.classList.add("in-meeting");
    document.getElementById("meeting").hidden = false;
    rejoin.hidden = true;
    status.textContent = "Joining your group…";
    const options = {
      roomName: grant.room, parentNode: document.getElementById("jitsi"),
      width: "100%", height: "100%", userInfo: { displayName: grant.display_name },
      configOverwrite: { prejoinConfig: { enabled: false } },
    };
    if (grant.jwt) options.jwt = grant.jwt;
    api = new window.JitsiMeetExternalAPI(grant.domain, options);
    api.addListener("videoConferenceJoined", joined);
    api.addListener("videoConferenceLeft", maybeLeft);
    api.addListener("readyToClose", closed);
  }

  function maybeLeft() {
    clearInterval(timer);
    timer = null;
    clearTimeout(pendingLeave);
    pendingLeave = setTimeout(function () { left("left"); }, MOVE_WINDOW_MS);
  }

  function joined(event) {  // also after a move between the main and a breakout room
    const id = String(event.id);
    if (me && me.participant !== id) left("switched");
    clearTimeout(pendingLeave);
    pendingLeave = null;
    me = { participant: id, display_name: event.displayName || grant.display_name };
    status.textContent = "You're in the group.";
    clearInterval(timer);
    beat();
    timer = setInterval(beat, (grant.heartbeat_seconds || 3) * 1000);
  }

  function body(extra) {
    seq += 1;
    return JSON.stringify(Object.assign({ participant: me.participant,
      display_name: me.display_name, page: page, seq: seq }, extra || {}));
  }

  function beat() {
    if (!me) return;
    send(url("/api/jitsi/heartbeat"), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: body(),
    }).catch(function () {});  // a missed beat is exactly what Tether watches for
  }

  function left(reason) {
    clearTimeout(pendingLeave);
    pendingLeave = null;
    if (!me) return;
    clearInterval(timer);
    timer = null;
    send(url("/api/jitsi/leave"), {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: body({ reason: reason }), keepalive: true,
    }).catch(function () {});
    me = null;
    status.textContent = "You have left the group.";
  }

  function closed() {
    left("closed");
    if (api) api.dispose();
    api = null;
    offerRetry("Join the group again");
  }

  rejoin.addEventListener("click", join);

  window.addEventListener("pagehide", function () {
    clearTimeout(pendingLeave);
    if (!me) return;
    clearInterval(timer);
    const blob = new Blob([body({ reason: "pagehide" })], { type: "text/plain;charset=UTF-8" });
    beacon(url("/api/jitsi/leave"), blob);
    me = null;
  });

  if (link) whenCheckedIn(join);
})();
