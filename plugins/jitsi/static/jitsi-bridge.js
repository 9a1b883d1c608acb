// The Jitsi bridge for Tether's panel (the clinician console): the panel calls
// window.tetherBridge; this drives the meeting through the IFrame API
// (JitsiMeetExternalAPI, loaded from the Jitsi deployment) and forwards to the sidecar the
// events only the browser sees: breakout rooms, knocking participants, and (without
// Prosody's module) joins and leaves.
"use strict";
(function () {
  const room = decodeURIComponent(window.location.pathname.split("/").pop() || "");
  const NO_RIGHTS = "Jitsi only lets a moderator manage breakout rooms and the lobby. " +
    "Ask the meeting's moderator to make you a moderator, then try again.";
  let api = null;
  let me = "";            // my participant id in the meeting
  let rooms = { main: "", byName: {}, members: {} };
  let roomWaiters = [];
  let queue = [];
  let sending = null;

  // with the signed-in person's session (the page's auth.js); the meeting's own script
  // (external_api.js) never sees a credential: the session is an HttpOnly cookie
  function call(method, path, body) {
    return window.tetherAuth.call(method, path, body);
  }

  const page = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const BATCH = 200;  // the server's limit per request
  const MOVE_WINDOW_MS = 1500;
  const held = {};  // participant id -> the timer of a leave that may be a room move

  // In order, at most BATCH a request. Each event carries its age (how long it waited here)
  // and its own key, so a resend is a duplicate and an outage does not delay a callback. A batch
  // the server refuses (4xx) is dropped, never resent: one bad event must not jam the rest.
  function forward(event, seen) {
    if (event.type !== "breakout.rooms" && !event.id) return;  // nothing to say about
    event.seen = seen || Date.now();
    event.key = page + "-" + (++counter);
    queue.push(event);
    if (sending) return;
    sending = setTimeout(async function flush() {
      const batch = queue.slice(0, BATCH);
      queue = queue.slice(BATCH);
      const sentAt = Date.now();
      const body = batch.map(function (e) {
        const out = Object.assign({}, e, { age_ms: Math.max(0, sentAt - e.seen) });
        delete out.seen;
        return out;
      });
      let retry = false;
      try {
        const r = await call("POST", "/api/jitsi/rooms/" + encodeURIComponent(room) +
          "/console-events", { events: body, server_events: window.tetherServerEvents === true });
        if (r.status >= 400 && r.status < 500) {
          console.warn("Tether refused " + batch.length + " console event(s): " + r.status);
        } else if (!r.ok) {
          retry = true;
        }
      } catch (err) {
        retry = true;
      }
      if (retry) queue = batch.concat(queue);
      sending = queue.length ? setTimeout(flush, retry ? 1000 : 0) : null;
    }, 50);
  }

  // breakoutRoomsUpdated arrives as {rooms: {...}} from the app, or as the bare map
  // the handbook documents: accept both.
  function onRooms(payload) {
    const map = (payload && payload.rooms) ? payload.rooms : (payload || {});
    const next = { main: "", byName: {}, members: {} };
    for (const key of Object.keys(map)) {
      const r = map[key] || {};
      const id = r.id || key;
      if (r.isMainRoom) next.main = id;
      if (r.name) next.byName[r.name] = id;
      const people = r.participants || {};
      for (const pk of Object.keys(people)) {
        const p = people[pk] || {};
        const pid = p.id || String(pk).split("/").pop();
        next.members[pid] = id;
      }
    }
    rooms = next;
    for (const id of Object.keys(next.members)) {  // that "leave" was a move to a breakout
      if (held[id] && next.members[id] !== next.main) {
        clearTimeout(held[id]);
        delete held[id];
      }
    }
    forward({ type: "breakout.rooms", main: next.main, members: next.members });
    const waiting = roomWaiters;
    roomWaiters = [];
    for (const w of waiting) w();
  }

  function roomNamed(name, timeoutMs) {
    return new Promise(function (resolve, reject) {
      const started = Date.now();
      function check() {
        if (rooms.byName[name]) return resolve(rooms.byName[name]);
        if (Date.now() - started > timeoutMs) {
          return reject(new Error("Jitsi did not create the room (are you a moderator?)"));
        }
        roomWaiters.push(check);
        setTimeout(check, 250);
      }
      check();
    });
  }

  function command(name) {
    const args = Array.prototype.slice.call(arguments, 1);
    try {
      api.executeCommand.apply(api, [name].concat(args));
    } catch (err) {
      throw new Error(/moderator|permission/i.test(String(err.message)) ? NO_RIGHTS :
        String(err.message || err));
    }
  }

  async function start(session) {
    if (typeof window.JitsiMeetExternalAPI !== "function") {
      throw new Error("the Jitsi meeting could not load from " + session.domain);
    }
    const options = { roomName: room, parentNode: document.getElementById("jitsi-meeting"),
      userInfo: { displayName: session.name } };
    if (session.jwt) options.jwt = session.jwt;
    api = new window.JitsiMeetExternalAPI(session.domain, options);
    api.addListener("videoConferenceJoined", function (e) { me = e.id; });
    api.addListener("participantJoined", function (e) {
      forward({ type: "participant.joined", id: e.id, display_name: e.displayName || "",
        user_id: (e.userContext && e.userContext.id) || "" });
    });
    // The IFrame API says "left" for a move into a breakout room too (the room update
    // follows within about 0.3 s): a leave is held briefly and forgotten if the person
    // turns up in a room, so a 1:1 is never taken for a drop.
    api.addListener("participantLeft", function (e) {
      const seen = Date.now();
      if (held[e.id]) clearTimeout(held[e.id]);
      held[e.id] = setTimeout(function () {
        delete held[e.id];
        forward({ type: "participant.left", id: e.id }, seen);
      }, MOVE_WINDOW_MS);
    });
    api.addListener("knockingParticipant", function (e) {
      const p = (e && e.participant) || e || {};
      forward({ type: "knocking", id: p.id, display_name: p.name || p.displayName || "" });
    });
    api.addListener("breakoutRoomsUpdated", onRooms);
  }

  // The meeting's own script (external_api.js from the Jitsi deployment) may not load: the
  // safety panel works without it and says so in one line, with a Retry that loads it again.
  let failed = null;
  let onFailure = function () {};

  function loadScript(domain) {
    return new Promise(function (resolve, reject) {
      const s = document.createElement("script");
      s.src = "https://" + domain + "/external_api.js";
      s.onload = resolve;
      s.onerror = function () { reject(new Error("no answer from " + domain)); };
      document.head.append(s);
    });
  }

  function failure(data) {
    return { message: "The Jitsi meeting could not load from " + data.domain +
      ": the safety panel still works.", retry: async function () {
        try {
          if (typeof window.JitsiMeetExternalAPI !== "function") await loadScript(data.domain);
          await start(data);
          failed = null;
        } catch (err) {
          failed = failure(data);
        }
        onFailure(failed);
      } };
  }

  window.tetherBridge = {
    session: async function () {
      await window.tetherAuth.whoami();
      const r = await call("GET", "/api/jitsi/rooms/" + encodeURIComponent(room) + "/console");
      const data = await r.json().catch(function () { return {}; });
      if (!r.ok) throw new Error(data.error || "Tether did not recognise you (" + r.status + ")");
      try {
        await start(data);
      } catch (err) {
        failed = failure(data);
      }
      return { meeting: data.meeting, staff: data.staff, meetingFailure: failed };
    },
    onMeetingFailure: function (listener) { onFailure = listener; },
    // 1:1 triage: a room with a neutral name, the client then the lead sent into it.
    startTriage: async function (opts) {
      if (!me) throw new Error("join the meeting first");
      command("addBreakoutRoom", opts.roomName);
      const id = await roomNamed(opts.roomName, 5000);
      command("sendParticipantToRoom", opts.participant, id);
      command("sendParticipantToRoom", me, id);
      return { room: id };
    },
    endTriage: async function (opts) {
      if (!rooms.main) throw new Error("Jitsi has not reported its rooms yet");
      command("sendParticipantToRoom", opts.participant, rooms.main);
      command("sendParticipantToRoom", me, rooms.main);
    },
    admit: async function (opts) {
      command("answerKnockingParticipant", opts.participant, true);
    },
    deny: async function (opts) {
      command("answerKnockingParticipant", opts.participant, false);
    },
    stopRecording: async function () {
      command("stopRecording", "file");
    },
  };
})();
