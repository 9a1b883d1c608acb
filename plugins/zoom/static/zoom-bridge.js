// The Zoom Apps SDK bridge for Tether's panel: the panel calls window.tetherBridge; this
// turns the calls into @zoom/appssdk calls (the SDK's global is `zoomSdk`).
"use strict";
(function () {
  const CAPABILITIES = ["getAppContext", "getUserContext", "getMeetingUUID",
    "getBreakoutRoomList", "addBreakoutRoom", "assignParticipantToBreakoutRoom",
    "openBreakoutRooms", "changeBreakoutRoom", "configureBreakoutRooms",
    "sendAppInvitationToAllParticipants", "admitParticipantFromWaitingRoom",
    "cloudRecording", "showNotification"];
  const NO_RIGHTS = "Zoom only lets a host or co-host move people into breakout rooms. " +
    "Ask the host to make you co-host, then try again.";
  let configured = null;

  async function loaded() {  // the SDK arrives as a module, after this classic script
    for (let i = 0; i < 50 && !window.zoomSdk; i++) {
      await new Promise(function (resolve) { setTimeout(resolve, 100); });
    }
    if (!window.zoomSdk) throw new Error("open Tether from the Zoom client's Apps menu");
    return window.zoomSdk;
  }

  async function sdk() {
    const z = await loaded();
    if (!configured) configured = z.config({ capabilities: CAPABILITIES });
    await configured;
    return z;
  }

  function explain(err, noRights) {
    const code = err && (err.code || (String(err.message || "").match(/\d{5}/) || [])[0]);
    if (String(code) === "10021" || /privilege|permission/i.test(String(err && err.message))) {
      return new Error(noRights || NO_RIGHTS);
    }
    return err instanceof Error ? err : new Error(String(err && err.message || err));
  }

  async function post(path, fields) {  // the client's calls: context + participant + fields
    const z = await sdk();
    const ctx = await z.getAppContext();
    let me = {};
    try {
      me = await z.getUserContext();
    } catch (err) {
      me = {};
    }
    const response = await fetch(path, { method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(Object.assign({ context: ctx.context,
        participant: me.participantUUID || "" }, fields)) });
    const data = await response.json().catch(function () { return {}; });
    return Object.assign({ status: response.status }, data);
  }

  window.tetherBridge = {
    // The client's check-in form. Each call carries Zoom's signed app context and the
    // participant UUID (the client's own word: the server only uses it to link the
    // roster row). clientSession: a token when Zoom names the client by their account.
    // requestCode: text a one-time code to the number on file, chosen by what the client
    // typed (first name, last 4 digits) or, with nothing typed, by their Zoom account.
    // enterCode: the code typed in, for a token. Each answers {status, ...the JSON}.
    clientSession: async function () {
      return post("/api/zoom/checkin-session", {});
    },
    requestCode: async function (factors) {
      return post("/api/zoom/checkin-code", { identify: factors || undefined });
    },
    enterCode: async function (challenge, code) {
      return post("/api/zoom/checkin-code/verify", { challenge: challenge, code: code });
    },
    // Everyone in this room gets Zoom's invitation to open Tether: staff get the panel,
    // clients the check-in form. In a breakout room only that room is invited.
    inviteAll: async function () {
      const z = await sdk();
      try {
        await z.sendAppInvitationToAllParticipants();
      } catch (err) {
        throw explain(err);
      }
    },
    admit: async function (opts) {
      const z = await sdk();
      try {
        await z.admitParticipantFromWaitingRoom({ participantUUID: opts.participant });
      } catch (err) {
        throw explain(err);
      }
    },
    // Back to the group: the client is moved to the main session (no room uuid), then the
    // lead leaves the room. Other breakout rooms are left as they are.
    endTriage: async function (opts) {
      const z = await sdk();
      try {
        await z.assignParticipantToBreakoutRoom({ participantUUID: opts.participant });
        await z.changeBreakoutRoom({ action: "leave" });
      } catch (err) {
        throw explain(err);
      }
    },
    // The recording guard from the host's panel, when Tether has no API credentials or
    // the API could not stop it.
    stopRecording: async function () {
      const z = await sdk();
      try {
        await z.cloudRecording({ action: "stop" });
      } catch (err) {
        throw explain(err, "Only the host or a co-host can stop a cloud recording. Ask " +
          "the host to stop it now, or to make you co-host.");
      }
    },
    session: async function () {
      const z = await sdk();
      const ctx = await z.getAppContext();
      const response = await fetch("/api/zoom/session", { method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ context: ctx.context }) });
      const data = await response.json();
      if (!response.ok) throw new Error(data.error || "Zoom did not vouch for you");
      window.tetherAuth.use(data);  // the session is a cookie; this is who and the CSRF token
      return { meeting: data.meeting, staff: data.staff };
    },
    // 1:1 triage: a new room with a neutral name (the server picks it), the client and
    // the lead assigned to it, rooms opened, the lead joins. Others stay in the group.
    startTriage: async function (opts) {
      const z = await sdk();
      try {
        const me = await z.getUserContext();
        if (me.role !== "host" && me.role !== "coHost") throw new Error(NO_RIGHTS);
        const list = await z.getBreakoutRoomList();
        if (list.state === "open") {
          throw new Error("Breakout rooms are open already: close them, then start triage.");
        }
        const room = await z.addBreakoutRoom({ name: opts.roomName });
        await z.assignParticipantToBreakoutRoom({ uuid: room.uuid,
          participantUUID: opts.participant });
        await z.assignParticipantToBreakoutRoom({ uuid: room.uuid,
          participantUUID: me.participantUUID });
        await z.openBreakoutRooms();
        await z.changeBreakoutRoom({ action: "join", uuid: room.uuid });
        return { room: room.uuid };
      } catch (err) {
        throw explain(err);
      }
    },
  };
})();
