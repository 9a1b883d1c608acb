"""The clinicians' panel in headless Chromium: first paint, and webhook-to-screen latency.

The sidecar (create_app, all workers) runs in this process on a private redis-server; a
group of --participants is in the meeting. First paint: --loads fresh page loads, each
from navigation start to the roster drawn (the panel sets ``window.tetherFirstPaint``).
Update: --events signed Zoom webhooks sent one at a time (a participant leaves or comes
back); for each, the browser stamps the moment the panel applied the roster change, and
the figure is that stamp minus the moment the webhook was sent (same machine, same wall
clock). Also: the page's JS heap and the sidecar's RSS. Synthetic names only.

    python bench/panel_latency.py                      # 30 participants, 200 events
    python bench/panel_latency.py --participants 100 --events 500
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aiohttp
import yaml
from _common import (
    SECRET,
    RedisProc,
    free_port,
    inbox_settled,
    participant_body,
    pct,
    redis_binary,
    rss_mb,
    start_app,
    stop_app,
    summary,
    zoom_headers,
)

from sidecar.app import create_app
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.services import TETHER

ROOT = Path(__file__).resolve().parent.parent
MEETING_NUMBER = "81234567890"
MEETING_UUID = "benchPanel+Uu/1=="
LEFT = "left the meeting. Reason : left the meeting"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
LISTEN = """window.__seen = [];
window.addEventListener('tether:entry', e => { if (e.detail.kind === 'roster')
  window.__seen.push([e.detail.data.participant, e.detail.data.status,
                      performance.timeOrigin + performance.now()]); });"""


def program() -> ProgramConfig:
    raw = yaml.safe_load((ROOT / "examples" / "program.yaml").read_text())
    return ProgramConfig.model_validate(raw)


async def send(http: aiohttp.ClientSession, url: str, event: str, who: str, i: int,
               reason: str = "") -> float:
    sent = time.time() * 1000
    body = participant_body(event, int(sent), MEETING_NUMBER, MEETING_UUID, who,
                            f"Bench Person {i:03d}", reason)
    async with http.post(url, data=body, headers=zoom_headers(body, time.time())) as r:
        await r.read()
        if r.status != 200:
            raise RuntimeError(f"webhook answered {r.status}")
    return sent


async def first_paints(browser: Any, url: str, loads: int) -> list[float]:
    out = []
    for _ in range(loads):
        page = await browser.new_page(bypass_csp=True)
        await page.goto(url)
        await page.wait_for_function("window.tetherFirstPaint !== undefined")
        out.append(await page.evaluate("window.tetherFirstPaint"))
        await page.close()
    return out


async def updates(browser: Any, url: str, http: aiohttp.ClientSession, hook: str,
                  n: int, events: int) -> tuple[list[float], float]:
    page = await browser.new_page(bypass_csp=True)
    await page.goto(url)
    await page.wait_for_function("document.getElementById('conn').textContent === 'live'")
    await page.evaluate(LISTEN)
    lat: list[float] = []
    for e in range(events):
        # a round of leaves, then a round of rejoins; Zoom gives a rejoin a new participant id
        i, back, gen = e % n, (e // n) % 2 == 1, (e // n + 1) // 2
        who, status = f"pu-bench-{i}-{gen}", "present" if back else "gone"
        sent = await send(http, hook, "meeting.participant_joined" if back
                          else "meeting.participant_left", who, i, "" if back else LEFT)
        probe = (f"window.__seen.find(s => s[0] === '{who}' && s[1] === '{status}'"
                 f" && s[2] >= {sent - 1})")
        await page.wait_for_function(f"!!({probe})", timeout=10_000)
        lat.append(await page.evaluate(f"({probe})[2]") - sent)
    heap = await page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0")
    await page.close()
    return lat, heap / 2**20


async def run(args: argparse.Namespace) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("needs Debian's chromium (apt-get install -y chromium)")
    from playwright.async_api import async_playwright

    tmp = Path(tempfile.mkdtemp(prefix="tether-bench-panel-"))
    rp = RedisProc(redis_binary(args.redis), tmp)
    rp.start()
    port = free_port()
    settings = Settings(tether_redis_url=rp.url, tether_data_dir=tmp / "data",
                        tether_data_key=base64.b64encode(bytes(range(32))).decode(),
                        tether_public_url=f"http://127.0.0.1:{port}",
                        zoom_webhook_secret_token=SECRET)
    app = create_app(settings, program())
    runner = await start_app(app, port)
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http, async_playwright() as pw:
            for i in range(args.participants):
                await send(http, base + "/webhooks/zoom", "meeting.participant_joined",
                           f"pu-bench-{i}-0", i)
            await inbox_settled(app[TETHER].redis, 30)
            token = app[TETHER].tokens.issue("lead-avery", time.time())
            url = f"{base}/panel#token={quote(token)}&meeting={quote(MEETING_UUID)}"
            browser = await pw.chromium.launch(executable_path=chromium, args=FLAGS)
            paints = await first_paints(browser, url, args.loads)
            lat, heap_mb = await updates(browser, url, http, base + "/webhooks/zoom",
                                         args.participants, args.events)
            await browser.close()
        figures = {"participants": args.participants, "redis": args.redis,
                   "first_paint_p50_ms": round(pct(paints, 50), 1),
                   "first_paint_p99_ms": round(pct(paints, 99), 1),
                   "update_p50_ms": round(pct(lat, 50), 1),
                   "update_p99_ms": round(pct(lat, 99), 1),
                   "update_max_ms": round(max(lat), 1), "events": len(lat),
                   "page_js_heap_mb": round(heap_mb, 1), "sidecar_rss_mb": round(rss_mb(), 1)}
        print(f"participants          {args.participants}")
        print(f"first paint p50/p99   {figures['first_paint_p50_ms']} / "
              f"{figures['first_paint_p99_ms']} ms  ({args.loads} loads)")
        print(f"webhook to screen     p50 {figures['update_p50_ms']} ms  p99 "
              f"{figures['update_p99_ms']} ms  max {figures['update_max_ms']} ms "
              f"({len(lat)} events, one at a time)")
        print(f"page JS heap          {figures['page_js_heap_mb']} MiB")
        print(f"sidecar RSS           {figures['sidecar_rss_mb']} MiB")
        summary("panel_latency", **figures)
    finally:
        await stop_app(runner)
        rp.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--participants", type=int, default=30)
    ap.add_argument("--events", type=int, default=200)
    ap.add_argument("--loads", type=int, default=20)
    ap.add_argument("--redis", choices=["redis7", "redis62"], default="redis7")
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
