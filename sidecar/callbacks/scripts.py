"""What a callback says and what the ladder texts (pure). No PHI anywhere: a voicemail or
a phone left on a table must not tell anyone who the client is or why we call; the
program's name and a number to call back are all it carries."""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

GATHER_SECONDS = 6  # how long the prompt waits for a key after it is said
BRIDGE_RING_SECONDS = 20  # how long the clinician's phone rings before we give up on it
_XML = '<?xml version="1.0" encoding="UTF-8"?>'


def spoken_number(number: str) -> str:
    """A phone number as text-to-speech should read it: digit by digit, in groups."""
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):  # North American: 312 555 0100
        digits = digits[1:]
    if len(digits) == 10:
        groups = [digits[:3], digits[3:6], digits[6:]]
    else:
        groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    return ", ".join(" ".join(g) for g in groups)


def _say(text: str) -> str:
    return f"<Say>{escape(text)}</Say>"


def prompt(program: str, gather_url: str, callback_number: str | None) -> str:
    """Asks for a keypress; nothing pressed (a voicemail, a fax, silence) leaves only the
    program's name and, where the program has one, its number."""
    ask = _say(f"This is your care team at {program}. Press 1 to talk to us now.")
    missed = "We are sorry we missed you."
    if callback_number:
        missed += f" Please call us back at {spoken_number(callback_number)}."
    return (f"{_XML}<Response><Gather input=\"dtmf\" numDigits=\"1\" "
            f"timeout=\"{GATHER_SECONDS}\" action={quoteattr(gather_url)}>{ask}</Gather>"
            f"{_say(missed)}<Hangup/></Response>")


def connect(number: str, dial_url: str) -> str:
    """A person pressed 1: put them through to a clinician; the outcome goes to dial_url."""
    return (f"{_XML}<Response>{_say('Thank you. We are connecting you to a clinician now.')}"
            f"<Dial timeout=\"{BRIDGE_RING_SECONDS}\" action={quoteattr(dial_url)}>"
            f"<Number>{escape(number)}</Number></Dial></Response>")


def call_back_soon(crisis_line: str) -> str:
    """Nobody could take the call: say so, and where to turn meanwhile."""
    text = (f"A clinician will call you right back. If you are not safe, call or text "
            f"{crisis_line} now.")
    return f"{_XML}<Response>{_say(text)}<Hangup/></Response>"


def hang_up(text: str = "") -> str:
    return f"{_XML}<Response>{_say(text) if text else ''}<Hangup/></Response>"


def client_text(program: str, *, rejoin: str | None, dial_in: str | None,
                after_hours: str | None, crisis_line: str) -> str:
    """The connection-lost text: the way back in, a reply that tells us how they are, and
    where to turn if they are not safe."""
    parts = [f"{program}: we lost you on the group call."]
    if rejoin:
        parts.append(f"Rejoin: {rejoin}")
    if dial_in:
        parts.append(f"Or dial in: {dial_in}.")
    parts.append("Reply 1 if you are OK, 2 if you want a call.")
    if after_hours:
        parts.append(f"After hours: {after_hours}.")
    parts.append(f"If you are not safe, call or text {crisis_line}.")
    return " ".join(parts)


def responders_text(group: str) -> str:
    return (f"Tether: a client in {group} dropped off and did not answer callbacks. "
            "Contact local responders now: the dispatch card is in the Tether panel.")


def bridge_missed_text(group: str) -> str:
    return (f"Tether: a client in {group} pressed 1 on our callback to talk, and nobody "
            "picked up. Call them back now: the number is in the Tether panel.")
