"""A harm-reduction agreement (pure): made with its terms, counted down, extended from its
end or from now, ended, reminded once for each end; refusals in sentences."""

from __future__ import annotations

import pytest

from sidecar.incidents.agreement_model import Agreement, AgreementError

T0 = 1_800_000_000_000
MIN = 60_000


def made(minutes: int = 20, picks: list[str] | None = None, note: str = "") -> Agreement:
    return Agreement.make("a1", "m1", "client-001", picks or ["Stay on video together"], note,
                          minutes, T0, "lead-avery")


def test_made_it_runs_then_is_due_until_ended() -> None:
    a = made(note="  Pills in the lockbox  ")
    assert a.ends_ms == T0 + 20 * MIN and a.note == "Pills in the lockbox"
    assert a.words() == "Stay on video together; Pills in the lockbox"
    assert a.state(T0 + 20 * MIN - 1) == "running" and a.state(T0 + 20 * MIN) == "due"
    assert not a.remind(T0 + 20 * MIN - 1)  # not yet
    assert a.remind(T0 + 20 * MIN) and not a.remind(T0 + 21 * MIN)  # once
    a.end("checked_in", T0 + 22 * MIN, "cofac-morgan")
    assert a.state(T0 + 22 * MIN) == "ended" and a.ended_how == "checked_in"
    assert [h.what for h in a.history] == ["made", "reminded", "ended"]
    with pytest.raises(AgreementError, match="already ended"):
        a.end("early", T0 + 23 * MIN, "lead-avery")


def test_extending_moves_the_end_and_reminds_again() -> None:
    a = made(10)
    a.extend(5, T0 + 8 * MIN, "cofac-morgan")  # while it runs: from its end
    assert a.ends_ms == T0 + 15 * MIN and a.minutes == 15
    assert not a.remind(T0 + 10 * MIN)  # the old end passes quietly
    assert a.remind(T0 + 15 * MIN)
    a.extend(10, T0 + 17 * MIN, "lead-avery")  # after it ran out: from now
    assert a.ends_ms == T0 + 27 * MIN and a.reminded_ms is None
    assert a.remind(T0 + 27 * MIN)
    assert [(h.what, h.minutes) for h in a.history] == [
        ("made", 10), ("extended", 5), ("reminded", 15), ("extended", 10), ("reminded", 27)]


@pytest.mark.parametrize(("picks", "note", "minutes", "said"), [
    ([], "  ", 20, "Say what was agreed: choose a term or write one."),
    (["Stay on video together"], "", 0, "An agreement lasts at least 1 minute."),
    (["Stay on video together"], "", 241, "at most 240 minutes"),
    (["x" * 81], "", 20, "Each term is at most 80 characters."),
    ([], "y" * 501, 20, "keep them to 500 or fewer"),
])
def test_refusals(picks: list[str], note: str, minutes: int, said: str) -> None:
    with pytest.raises(AgreementError) as caught:
        Agreement.make("a1", "m1", "c", picks, note, minutes, T0, "lead-avery")
    assert said in str(caught.value)


def test_no_extension_after_it_ended_or_past_four_hours() -> None:
    a = made(200)
    with pytest.raises(AgreementError, match="240 minutes in all"):
        a.extend(60, T0, "lead-avery")
    a.end("early", T0 + MIN, "lead-avery")
    with pytest.raises(AgreementError, match="make a new one"):
        a.extend(5, T0 + 2 * MIN, "lead-avery")
