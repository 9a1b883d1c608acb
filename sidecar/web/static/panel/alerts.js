// The alert cards: a dropped client's callback ladder (countdown, each call and its
// outcome in words, "nobody answered" turning into the dispatch card), silent alerts and
// the meeting's notices.
import { html } from "/static/vendor/preact-htm.js";
import { ActButton } from "./button.js";
import { DispatchCard } from "./dispatch.js";
import { SILENT } from "./state.js";
import { OUTCOMES, REASONS, attemptText, callee, clock, target } from "./words.js";

function attemptsOf(steps, action) {
  const s = (steps || []).find((x) => x.action === action);
  return s ? s.attempts : 0;
}

function line(h, l, ctx) {
  const who = target(h.target, ctx.card(l.client), ctx.clientName(l.client));
  if (h.type === "dialing") {
    return "Calling " + callee(who) + attemptText(h.attempt, attemptsOf(ctx.steps, h.action));
  }
  if (h.type === "outcome") return (who.support ? who.name + " (support person)" : who.name) +
    ": " + (OUTCOMES[h.outcome] || OUTCOMES[h.status] || h.status);
  if (h.type === "skipped") return "No support person agreed to be called: skipped";
  if (h.type === "dial_failed") return "The call could not be placed: trying again";
  if (h.type === "call_now") return "They texted asking for a call: calling " + who.name + " now";
  if (h.type === "prompt") return "Nobody answered: send responders" +
    (h.prompt > 1 ? " (reminder " + h.prompt + ")" : "") +
    (h.notified && h.notified.length ? "; texted " + h.notified.length + " of the team" : "");
  return "";
}

function ended(l, ctx) {
  const e = l.end;
  if (e.type === "answered") {
    const who = target(e.target, ctx.card(l.client), ctx.clientName(l.client));
    return "Reached " + (who.support ? who.name + " (support person)" : who.name) +
      ": they pressed 1 and are being put through to a clinician";
  }
  if (e.type === "acked") return ctx.staffName(e.by) + " is calling them";
  if (e.type === "stopped") return e.reason === "rejoined" ? "Back in the meeting: calls stopped"
    : "Calls stopped: " + e.reason;
  return l.responders ? "Nobody answered: send responders" : "Nobody answered: the calls have ended";
}

// What is happening now, one line (the visible countdown ticks; it is not a live region)
export function ladderNow(l, ctx, now) {
  if (l.end) return ended(l, ctx);
  if (l.responders) return "Nobody answered: send responders";
  const last = l.history[l.history.length - 1];
  if (last) return line(last, l, ctx);
  const who = target("client", ctx.card(l.client), ctx.clientName(l.client));
  const left = Math.ceil((l.due - now) / 1000);
  return left > 0 ? "Tether will call " + callee(who) + " in " + left + " s"
    : "Tether is calling " + callee(who) + " now";
}

export function LadderCard({ l, ctx, now }) {
  const name = ctx.clientName(l.client) || "Someone not on the client list";
  const shown = ctx.displayName(l.participant);
  const nobody = l.responders && (!l.end || l.end.type === "exhausted");
  const running = !l.end;
  const cls = "alert ladder" + (l.end && !nobody ? " done" : "") + (nobody ? " nobody" : "");
  return html`<article class=${cls} data-subject=${l.subject} aria-label=${name + " dropped off"}>
    <h3 class="what">${name}${shown && shown !== name ? " (\u201c" + shown + "\u201d on the call)" : ""}
      ${" "}dropped off: ${REASONS[l.reason] || l.reason}</h3>
    <p class="countdown">${ladderNow(l, ctx, now)}</p>
    ${nobody && l.client ? html`<${DispatchCard} card=${ctx.card(l.client)} error=${ctx.cardError(l.client)} />` : null}
    <div class="buttons">
      ${running ? html`<button type="button" class="ack" onClick=${(e) => ctx.ack(e, l.subject)}>I'm calling them</button>` : null}
      ${l.client && (running || nobody) ? html`<${ActButton} cls="danger emergency"
        label="Start emergency protocol" done="emergency protocol started" say=${ctx.say}
        work=${() => ctx.emergency(l.client, nobody ? "disconnect: nobody answered the callbacks"
          : "disconnect: dropped off the call")} />` : null}
    </div>
    ${l.history.length ? html`<ol class="history" aria-label="Calls so far">
      ${l.history.map((h) => html`<li>${clock(h.at)}: ${line(h, l, ctx)}</li>`)}</ol>` : null}
  </article>`;
}

function noteText(n, ctx) {
  const d = n.data;
  const client = ctx.clientName(d.client);
  const subject = d.subject && d.subject.startsWith("client:") ? ctx.clientName(d.subject.slice(7))
    : "someone not on the client list";
  switch (n.kind) {
    case "code-word": return "Code word" + (d.client ? " from " + client : "") +
      (d.source === "chat" ? " in the chat" : d.source === "checkin" ? " in the check-in note" : "");
    case "need-moment": return client + " asked for a moment.";
    case "outside-license": return client + " checked in from outside the program's licensed area (" + d.region + ").";
    case "followup-overdue": return "Overdue follow-up for " + client + ": " + d.title + ".";
    case "checkin-due": return d.asked ? client + " texted 2 to a check-in and wants a call: " +
      ctx.staffName(d.assignee) + ", call them now."
      : d.way === "text" ? "Check-in text to " + client + " going out now; record how it went once they reply or you reach them."
        : "Check-in due: " + ctx.staffName(d.assignee) + ", call " + client + " now.";
    case "checkin-missing": return client + " has not checked in yet.";
    case "checkin-moved": return client + " says they moved: their address and room for this session may be out of date.";
    case "checkin-unmatched": return ctx.displayName(d.participant) + (d.ambiguous
      ? " gave details that fit two clients, so no check-in code was texted: text them a check-in link."
      : " gave a name and digits that match no client expected here (no code was texted).");
    case "checkin-code-unsent": return "A check-in code could not be texted to " + client + ": text them a check-in link.";
    case "checkin-code-dead": return "Wrong check-in codes were entered for " + client + " 5 times, so that code no longer works. They can ask for a new one, or you can text them a check-in link.";
    case "checkin-code-capped": return client + " has had 3 check-in codes this hour and cannot get another yet: text them a check-in link if needed.";
    case "bridge": return d.connected ? subject + " is on the phone with " + (d.staff_name || "a clinician") + "."
      : subject + " pressed 1 to talk and nobody picked up. Call them back now" +
        (d.notified && d.notified.length ? "; whoever is on call was texted." : ".");
    case "sms-reply": return subject + (d.reply === "ok" ? " texted back: says they are OK."
      : d.reply === "call" ? " texted back asking for a call: calling them now."
        : " texted back: \u201c" + (d.text || "") + "\u201d");
    case "responders-unreached": return "Nobody could be texted to send responders for " + subject + ". Call responders now: the dispatch card has the address.";
    case "sms-undelivered": return "A text to " + (d.to_name || subject) + " was not delivered.";
    case "text-failed": return "The text to " + subject + " could not be sent.";
    case "unidentified-drop": return ctx.displayName(d.participant) + " dropped off and is not on the client list: nobody can be called.";
    default: return "";
  }
}

export function NoteCard({ n, ctx }) {
  const trigger = SILENT[n.kind];
  return html`<article class=${"alert" + (trigger ? " silent" : "")} data-kind=${n.kind} data-client=${n.key}>
    <p class="what">${noteText(n, ctx)}</p>
    ${trigger ? html`<p class="hint">Silent: nobody in the group sees this.</p>` : null}
    <div class="buttons">
      ${trigger && n.data.client ? html`<button type="button" class="screen"
        onClick=${() => ctx.openIncident(n.data.client, trigger)}>Safety check</button>` : null}
      <button type="button" class="seen" onClick=${() => ctx.dismiss(n.kind, n.key)}>Seen</button>
    </div>
  </article>`;
}

const RECORDING = {
  "recording.started": "Cloud recording started. The group has not agreed to be recorded.",
  "recording.stop_requested": "Tether asked Zoom to stop the cloud recording…",
  "recording.stop_failed": "Tether could not stop the recording",
  "recording.panel_failed": "The recording could not be stopped from a panel",
  "recording.stopped": "Recording stopped.",
  "recording.panel_stopped": "Recording stopped from a panel.",
};

export function RecordingCard({ r, ctx }) {
  const stopped = r.kind === "recording.stopped" || r.kind === "recording.panel_stopped";
  return html`<article class=${"alert" + (stopped ? " done" : "")} data-kind="recording">
    <p class="what">${RECORDING[r.kind]}${r.why && !stopped ? ": " + r.why + ". Stop it from the host's controls." : ""}</p>
    ${!stopped && ctx.bridge.stopRecording ? html`<button type="button"
      onClick=${(e) => ctx.stopRecording(e)}>Stop recording</button>` : null}
  </article>`;
}
