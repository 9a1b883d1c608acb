"""``tether demo``: a group session with a disconnect nobody answers, played through the
real HTTP endpoints on a sped-up clock, with the local Twilio stand-in; prints the timeline."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import socket
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import yaml
from aiohttp import web

from plugins.zoom.signature import sign
from sidecar.app import create_app
from sidecar.infra.clock import SpeedClock
from sidecar.infra.config import ProgramConfig
from sidecar.infra.settings import Settings
from sidecar.infra.telephony.standin import TwilioStandIn
from sidecar.records.model import ClientFile
from sidecar.services import TETHER

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MEETING_UUID = "DemoInstance/Uuid+01=="
NUMBER = "81234567890"
PEOPLE = [("pu-casey", "Casey B"), ("pu-rowan", "Rowan T"), ("pu-emery", "Emery"),
          ("pu-avery", "Avery (lead)")]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _hook(event: str, ts_ms: int, person: tuple[str, str] | None = None,
          reason: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"id": NUMBER, "uuid": MEETING_UUID, "host_id": "DemoHost",
                           "topic": "Tuesday evening group", "type": 8}
    if person is not None:
        p = {"participant_uuid": person[0], "user_id": person[0][-4:], "user_name": person[1],
             "email": "", "id": ""}
        if reason is not None:
            p["leave_reason"] = reason
        obj["participant"] = p
    return {"event": event, "event_ts": ts_ms, "payload": {"account_id": "Demo", "object": obj}}


class Player:
    def __init__(self, http: httpx.AsyncClient, base: str, secret: str, clock: SpeedClock):
        self.http, self.base, self.secret, self.clock = http, base, secret, clock

    def now_ms(self) -> int:
        return int(self.clock.now() * 1000)

    async def send(self, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        ts = str(int(self.clock.now()))
        headers = {"x-zm-request-timestamp": ts, "x-zm-signature": sign(self.secret, ts, raw),
                   "content-type": "application/json"}
        r = await self.http.post(f"{self.base}/webhooks/zoom", content=raw, headers=headers)
        r.raise_for_status()

    async def wait_for(self, token: str, kind: str, limit_s: float = 30) -> list[dict[str, Any]]:
        url = f"{self.base}/api/meetings/{quote(MEETING_UUID, safe='')}/timeline"
        for _ in range(int(limit_s / 0.05)):
            r = await self.http.get(url, headers={"Authorization": f"Bearer {token}"})
            if r.status_code == 200:
                entries: list[dict[str, Any]] = r.json()["entries"]
                if any(e["kind"] == kind for e in entries):
                    return entries
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the demo did not reach {kind}")


async def _play(p: Player, token: str) -> list[dict[str, Any]]:
    await p.send(_hook("meeting.started", p.now_ms()))
    for person in PEOPLE:
        await p.send(_hook("meeting.participant_joined", p.now_ms(), person))
    await p.clock.sleep(60)
    await p.send(_hook("meeting.participant_left", p.now_ms(), PEOPLE[1],
                       "left the meeting. Reason : left the meeting to join breakout room"))
    await p.send(_hook("meeting.participant_joined", p.now_ms(), PEOPLE[1]))
    await p.clock.sleep(30)
    await p.send(_hook("meeting.participant_left", p.now_ms(), PEOPLE[0],
                       "got disconnected from the meeting. Reason : Client Close."))
    await p.wait_for(token, "ladder.responders_prompt")
    r = await p.http.post(
        f"{p.base}/api/meetings/{quote(MEETING_UUID, safe='')}/ladders/client:client-001/ack",
        json={"note": "Calling 911 dispatch with the address on file"},
        headers={"Authorization": f"Bearer {token}"})
    r.raise_for_status()
    await p.send(_hook("meeting.ended", p.now_ms()))
    return await p.wait_for(token, "meeting.ended")


def _describe(e: dict[str, Any]) -> str:
    d = e["data"]
    if e["kind"] == "roster":
        return f"{d['display_name']!r} {d['status']} {d['reason']}".rstrip()
    keep = ("action", "target", "attempt", "status", "reason", "by", "note", "notified")
    return " ".join(f"{k}={d[k]}" for k in keep if k in d)


def _print(entries: list[dict[str, Any]]) -> None:
    t0 = entries[0]["at"]
    print(f"\nTimeline of meeting {MEETING_UUID} (clock time from the first event):")
    for e in entries:
        secs = (e["at"] - t0) / 1000
        print(f"  T+{int(secs // 60):02d}:{secs % 60:05.2f}  {e['kind']:<26} {_describe(e)}")


async def run_demo(speed: float = 20.0) -> int:
    clock = SpeedClock(speed)
    secret = secrets.token_hex(16)
    sid, token = "AC" + secrets.token_hex(16), secrets.token_hex(16)
    standin = TwilioStandIn(sid, token, step_delay_s=2.0 / speed)
    tw_port, port = _port(), _port()
    tw_runner = web.AppRunner(standin.app())
    await tw_runner.setup()
    await web.TCPSite(tw_runner, "127.0.0.1", tw_port).start()
    with tempfile.TemporaryDirectory(prefix="tether-demo-") as tmp:
        os.environ.pop("TETHER_REDIS_URL", None)
        settings = Settings(
            tether_redis_url="", tether_data_dir=Path(tmp),
            tether_data_key=base64.b64encode(secrets.token_bytes(32)).decode(),
            tether_public_url=f"http://127.0.0.1:{port}", zoom_webhook_secret_token=secret,
            twilio_account_sid=sid, twilio_auth_token=token, twilio_from_number="+13125550199",
            twilio_api_base_url=f"http://127.0.0.1:{tw_port}")
        config = ProgramConfig.model_validate(
            yaml.safe_load((EXAMPLES / "program.yaml").read_text()))
        app = create_app(settings, config, clock)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            t = app[TETHER]
            clients = ClientFile.model_validate(
                yaml.safe_load((EXAMPLES / "clients.yaml").read_text()))
            for record in clients.clients:
                await t.clients.put(record, actor="demo")
            async with httpx.AsyncClient(timeout=10) as http:
                player = Player(http, f"http://127.0.0.1:{port}", secret, clock)
                entries = await _play(player, t.tokens.issue("lead-avery", clock.now(),
                                                             ttl_s=12 * 3600))
            _print(entries)
            print(f"\nTelephony stand-in: {len(standin.calls)} calls, "
                  f"{len(standin.messages)} texts (the client's and the staff's; "
                  f"clock x{speed:g}).")
        finally:
            await runner.cleanup()
            await tw_runner.cleanup()
    return 0
