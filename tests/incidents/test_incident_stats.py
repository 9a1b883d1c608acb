"""Figures across incidents: pure summaries and the CSV, then through HTTP and Redis after
a real disconnect-to-callback and an emergency; the CSV carries no PHI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sidecar.clinical.cssrs import Level
from sidecar.incidents.model import Incident, Tick
from sidecar.incidents.stats import csv_text, summary
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, CASEY_PHONE, T0, calls_to
from tests.checkin.test_checkin import browser  # noqa: F401  (the Chromium fixture)
from tests.conftest import ROOT, Harness, eventually
from tests.incidents.test_incidents import DOCS, HIGH, IMMINENT, opened, post
from tests.records.test_admin_page import open_admin


def incident(n: int, trigger: str, level: Level | None, emergency_ms: int | None = None,
             responders_ms: int | None = None) -> Incident:
    i = Incident(id=f"inc{n}", meeting="m==", meeting_number="81234567890", client="client-001",
                 trigger=trigger, opened_ms=1_000_000 * n, opened_by="lead-avery", level=level,
                 emergency_ms=emergency_ms)  # type: ignore[arg-type]
    if responders_ms is not None:
        i.steps["call_responders"] = Tick(at_ms=responders_ms, by="cofac-morgan")
    return i


def test_summary_counts_and_spreads() -> None:
    rows = [incident(1, "code_word", Level.EMERGENCY, 10_000, 130_000),
            incident(2, "screen", Level.LOW), incident(3, "code_word", None),
            incident(4, "disconnect", Level.EMERGENCY, 50_000, 110_000)]
    s = summary(rows, [10_400, 10_900, 11_200], now_ms=5_000_000)
    assert s["by_trigger"] == {"code_word": 2, "screen": 1, "disconnect": 1}
    assert s["by_level"] == {"emergency": 2, "low": 1, "not_screened": 1}
    assert s["emergency_to_responders_s"] == {"count": 2, "p50": 60.0, "p90": 120.0,
                                              "max": 120.0}
    assert s["disconnect_to_first_call_s"]["p50"] == 10.9
    text = csv_text(rows, now_ms=5_000_000)
    assert text.splitlines()[1].split(",")[6] == "120"
    assert "client-001" not in text and "lead-avery" not in text


async def test_stats_and_csv_over_http(harness: Harness) -> None:
    h = harness
    inc = await opened(h)
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    await h.advance(10)
    await eventually(lambda: calls_to(h, CASEY_PHONE), timeout=5)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH, "imminence": IMMINENT})
    await post(h, f"{inc['id']}/emergency")
    h.clock.advance(95)
    await post(h, f"{inc['id']}/steps/call_responders", {}, staff="cofac-morgan")
    await post(h, f"{inc['id']}/close", DOCS)
    denied = await h.http.get(f"{h.base}/api/admin/incident-stats", headers=h.token())
    assert denied.status_code == 403  # admins only
    s = (await h.http.get(f"{h.base}/api/admin/incident-stats",
                          headers=h.token("admin-jordan"))).json()
    assert s["by_trigger"] == {"code_word": 1} and s["by_level"] == {"emergency": 1}
    assert s["emergency_to_responders_s"]["p50"] == 95.0
    assert s["disconnect_to_first_call_s"]["count"] == 1
    assert 10 <= s["disconnect_to_first_call_s"]["p50"] < 60
    csv = await h.http.get(f"{h.base}/api/admin/incidents.csv", headers=h.token("admin-jordan"))
    assert csv.headers["content-type"].startswith("text/csv")
    for phi in ("Casey", "client-001", "Marigold", "+1312", "overdose"):
        assert phi not in csv.text
    assert csv.text.splitlines()[1].split(",")[3:6] == ["code_word", "emergency", "yes"]
    metrics = (await h.http.get(f"{h.base}/metrics")).text
    assert 'tether_incidents_opened_total{trigger="code_word"} 1.0' in metrics
    assert "tether_emergency_to_responders_seconds_count 1.0" in metrics


async def test_the_admin_page_shows_the_figures(harness: Harness, browser: Any) -> None:  # noqa: F811
    h = harness
    inc = await opened(h)
    await post(h, f"{inc['id']}/screens", {"answers": HIGH})
    page = await open_admin(h, browser, where="incidents")
    await page.locator("#incident-stats dt").first.wait_for()
    figures = await page.locator("#incident-stats").text_content() or ""
    assert "code word 1" in figures and "high 1" in figures and "1 open" in figures
    async with page.expect_download() as download:
        await page.click("#incidents-csv")
    path = await (await download.value).path()
    assert "code_word" in Path(path).read_text()
    await page.screenshot(path=str(ROOT / "artifacts" / "admin-incidents.png"), full_page=True)
