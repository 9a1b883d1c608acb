"""What a plan page shows, and to whom (pure).

The client's own page: their safety plan, local resources, and what happens if their
video drops in a session. A caregiver's page: only what the client agreed to. The plan
needs a current ``receive_safety_plan`` consent; the code words need the client's choice to
share them with this person (``shares_code_words``) while some consent of theirs holds;
"when we may contact you" and the resources are always there, since they tell a person about
themselves and where to turn."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sidecar.records.model import EmergencyContact

Section = Literal["plan", "code_words", "when_contacted", "resources", "connection_lost",
                  "coaching"]
CLIENT_SECTIONS: tuple[Section, ...] = ("plan", "resources", "connection_lost")

# the safety plan's sections in the program's own wording (the admin's clinical form says
# the same, sidecar/web/static/admin/clinical.js)
PLAN_SECTIONS: tuple[tuple[str, str], ...] = (
    ("warning_signs", "Warning signs that a crisis may be coming"),
    ("coping_on_my_own", "Things I can do on my own to feel better"),
    ("people_and_places_that_help", "People and places that help (company, distraction)"),
    ("people_to_ask_for_help", "People I can ask for help"),
    ("professionals_and_crisis_lines", "Professionals and crisis lines"),
    ("making_home_safer", "Making home safer"),
    ("reasons_for_living", "Reasons for living"),
)

# what each scope means for the contact, in words they read ({client}: the first name)
CONTACT_WORDS: dict[str, str] = {
    "callback_ladder": "If {client} drops out of an online group session and does not "
                       "answer our call, we may call you to help us reach them.",
    "notify_crisis": "We may tell you if {client} is in crisis.",
    "responders_may_call": "Emergency responders helping {client} may phone you.",
    "aftercare": "After a crisis, we may call you to see how you and {client} are doing.",
    "receive_safety_plan": "We may send you {client}'s safety plan, like this page.",
}
NO_CONTACT = ("{client} has not agreed that we contact you. We will not call or text you "
              "about {client}, except in an emergency where the law allows it.")


def consent_holds(contact: EmergencyContact, today: date) -> bool:
    """The contact's consent dates hold today (given on or before, not ended)."""
    given, ends = contact.consent_given_on, contact.consent_expires_on
    return (given is None or given <= today) and (ends is None or today <= ends)


def current_scopes(contact: EmergencyContact, today: date) -> list[str]:
    """The scopes the contact holds today, in the record's order."""
    return list(contact.consent) if consent_holds(contact, today) else []


def sections_for(contact: EmergencyContact | None, today: date) -> list[Section]:
    """The sections a page shows: the client's own (``contact`` None) or one contact's."""
    if contact is None:
        return list(CLIENT_SECTIONS)
    scopes = current_scopes(contact, today)
    out: list[Section] = []
    if "receive_safety_plan" in scopes:
        out.append("plan")
    if contact.shares_code_words and scopes:  # and only while some consent holds
        out.append("code_words")
    return [*out, "when_contacted", "resources", "coaching"]


def when_contacted(contact: EmergencyContact, client_first: str, today: date) -> list[str]:
    """Each way we may contact this person, as a sentence; one sentence when none."""
    said = [CONTACT_WORDS[s].format(client=client_first)
            for s in current_scopes(contact, today) if s in CONTACT_WORDS]
    return said or [NO_CONTACT.format(client=client_first)]


def sees_plan(contact: EmergencyContact | None, today: date) -> bool:
    return "plan" in sections_for(contact, today)


def may_be_sent(contact: EmergencyContact, today: date) -> bool:
    """A contact may be texted a page only within some consent the client gave: the page
    explains that consent. Without any, we do not contact them at all."""
    return bool(current_scopes(contact, today))


def recipient(contact: EmergencyContact, client_first: str, today: date) -> dict[str, object]:
    """One contact as the send dialog shows them: whether they can be sent a page, and what
    it will hold, in a sentence."""
    them = contact.name.split()[0] if contact.name.split() else contact.name
    plan, words = sees_plan(contact, today), "code_words" in sections_for(contact, today)
    if not may_be_sent(contact, today):
        says = (f"{them} cannot be sent a page: {client_first} has not agreed that we "
                f"contact {them}.")
    elif plan:
        says = (f"{them}'s page holds the safety plan"
                + (f", {client_first}'s code words" if words else "")
                + ", where to turn and when we may contact them.")
    else:
        says = (f"No plan on {them}'s page ({client_first} has not agreed {them} may "
                f"receive it): only where to turn"
                + (f", {client_first}'s code words" if words else "")
                + " and when we may contact them.")
    return {"id": contact.id, "name": contact.name, "relation": contact.relation,
            "can_send": may_be_sent(contact, today), "sees_plan": plan,
            "sees_code_words": words, "says": says}
