"""The privacy prompts as HTML for the client's pages (every value escaped): the check-in
form's questions, each with large Yes and No choices that may be skipped, and the join
page's short "before you join" list with the recording statement."""

from __future__ import annotations

from html import escape

from sidecar.clinical.privacy import PrivacyPrompt
from sidecar.infra.config import ProgramConfig

FORM_SLOT = "<!-- the privacy prompts -->"
JOIN_SLOT = "<!-- before you join -->"


def _question(p: PrivacyPrompt) -> str:
    name = escape(f"privacy.{p.key}")
    choices = "".join(
        f'<label class="choice"><input type="radio" name="{name}" value="{value}"> '
        f"{words}</label>" for value, words in (("yes", "Yes"), ("no", "No")))
    return (f'<fieldset class="ask"><legend>{escape(p.question)}</legend>'
            f'<div class="choices">{choices}</div></fieldset>')


def _statement(config: ProgramConfig) -> str:
    said = config.recording_statement()
    return f'<p class="recording-statement">{escape(said)}</p>' if said else ""


def form_prompts(config: ProgramConfig) -> str:
    """The check-in form's fieldset; empty when the program asks and says nothing."""
    prompts = config.privacy_prompts.prompts
    statement = _statement(config)
    if not prompts and not statement:
        return ""
    asked = "".join(_question(p) for p in prompts if p.asked)
    reminders = "".join(f"<li>{escape(p.question)}</li>" for p in prompts if not p.asked)
    skip = ('<p class="why">You can skip these questions: you are checked in either way.</p>'
            if asked else "")
    return ('<fieldset class="privacy" id="privacy"><legend>Keeping the group private</legend>'
            f"{skip}{asked}"
            + (f'<ul class="reminders">{reminders}</ul>' if reminders else "")
            + f"{statement}</fieldset>")


def before_join(config: ProgramConfig) -> str:
    """The join page's reminder list and recording statement; empty when there is none."""
    items = "".join(f"<li>{escape(p.question)}</li>" for p in config.privacy_prompts.prompts)
    statement = _statement(config)
    if not items and not statement:
        return ""
    return ('<section id="before-join" aria-labelledby="before-join-title">'
            '<h2 id="before-join-title">Before you join</h2>'
            + (f"<ul>{items}</ul>" if items else "") + f"{statement}</section>")
