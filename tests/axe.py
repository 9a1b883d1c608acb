"""axe-core in a real page: every critical or serious violation fails the test, and each
page state's findings are written under ``artifacts/axe/`` for a person to read."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

AXE = ROOT / "tests" / "ui" / "node_modules" / "axe-core" / "axe.min.js"
OUT = ROOT / "artifacts" / "axe"
FAILING = ("critical", "serious")


def _source() -> str:
    if not AXE.is_file():
        if os.environ.get("CI"):
            raise RuntimeError("CI needs axe-core: npm ci --prefix tests/ui")
        pytest.skip("axe-core is not installed: npm ci --prefix tests/ui")
    return AXE.read_text(encoding="utf-8")


async def violations(page: Any) -> list[dict[str, Any]]:
    """axe's violations of the page as it is now (WCAG 2.1 A and AA, and best practice)."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(_source())  # by the debugging protocol: the page's CSP allows it
    result = await page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})")
    return list(result["violations"])


async def assert_accessible(page: Any, state: str) -> dict[str, int]:
    """No critical or serious violation in this state; the counts by impact, for the notes."""
    found = await violations(page)
    OUT.mkdir(parents=True, exist_ok=True)
    Path(OUT / f"{state}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    counts: dict[str, int] = {}
    for v in found:
        counts[v["impact"] or "none"] = counts.get(v["impact"] or "none", 0) + len(v["nodes"])
    bad = [f"{v['id']} ({v['impact']}): {v['help']} at "
           + ", ".join(str(n["target"]) for n in v["nodes"][:3])
           for v in found if v["impact"] in FAILING]
    assert not bad, f"{state}: " + "; ".join(bad)
    print(f"axe {state}: {counts or 'clean'}")
    return counts
