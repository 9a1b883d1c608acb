"""One-time check-in codes: the rules, with no I/O (``code_store.py`` keeps them).

A client the Zoom App cannot name by their Zoom account proves who they are by a six-digit
code texted to the number on file. What they type to say who they are (first name and the
last four digits) only chooses whose number to text; it is never proof.

Limits, and why (see docs/architecture.md, "The code step"):

* a code works for 10 minutes, and for 5 tries: a wrong try from anyone counts, so a
  stranger can spend a code, but never more than its 5 tries;
* a client gets at most 3 codes an hour, whoever asks: at most 15 guesses an hour at any
  client (a 15 in a million chance), and at most 3 texts an hour to their phone;
* the limits belong to the client and the code, never to a participant or a meeting, so a
  new participant id or a new meeting instance resets nothing, and nobody else's failures
  lock the client out. The price: someone who knows a client's first name and last four
  digits can use up that client's 3 codes for the hour. The newest code still works for
  its 10 minutes, and the care team can text a check-in link at any time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

CODE_DIGITS = 6
CODE_TTL_MS = 10 * 60 * 1000
TRIES_PER_CODE = 5
CODES_PER_HOUR = 3
HOUR_MS = 3600 * 1000


def new_code() -> str:
    """Six digits from the system's secure random source; "004271" is a code too."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_salt() -> str:
    return secrets.token_hex(16)


def code_mac(key: bytes, salt: str, client: str, code: str) -> str:
    """What is stored instead of the code: HMAC-SHA256 under a key derived from the data
    key, over a fresh salt, the client and the code. Without the key, six digits cannot be
    tried offline against it."""
    return hmac.new(key, f"{salt}:{client}:{code}".encode(), hashlib.sha256).hexdigest()


def same_code(key: bytes, salt: str, client: str, typed: str, stored_mac: str) -> bool:
    return hmac.compare_digest(code_mac(key, salt, client, typed), stored_mac)


def cleaned(typed: str) -> str | None:
    """The six digits people type ("123 456", "123-456"), or None if it is not a code."""
    digits = re.sub(r"[\s-]", "", typed)
    return digits if re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", digits) else None


def sms_text(program: str, code: str) -> str:
    """The text: the code and the program's name, nothing about the client."""
    return (f"{program}: your check-in code is {code}. It works for 10 minutes. "
            "If you did not ask for it, you can ignore this text.")


def last4(phone: str) -> str:
    return re.sub(r"[^0-9]", "", phone)[-4:]


Outcome = Literal["ok", "wrong", "dead"]


@dataclass(frozen=True)
class Attempt:
    """What one try at a code did. ``wrong`` with ``tries_left`` 0 killed the code."""

    outcome: Outcome
    client: str  # whose code it was ("" for a request whose details matched nobody)
    tries_left: int = 0


def judge(right: bool, tries_before: int) -> Attempt:
    """One try at a live code that had ``tries_before`` wrong tries already."""
    if right:
        return Attempt("ok", "")
    return Attempt("wrong", "", max(0, TRIES_PER_CODE - tries_before - 1))


def within_cap(issued_in_last_hour: int) -> bool:
    """May one more code be issued, ``issued_in_last_hour`` counting this one?"""
    return issued_in_last_hour <= CODES_PER_HOUR
