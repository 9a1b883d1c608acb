"""PHI sealed at rest: after a whole session (joins, a chat with a code word, a drop and its
callback ladder, a check-in, an incident with its dispatch card, a store outage and the
recovery), no synthetic PHI value is in any file of the Redis data folder (AOF with its
base and incr files, RDB, log) or in the spool; the data files and folders are private.

The scan reads bytes: values are looked for as UTF-8. RDB compression is turned off before
SAVE so a compressed string cannot hide a value from the scan.
"""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from sidecar.infra.telephony.signature import twilio_signature
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import CASEY, T0, calls_to, join_group
from tests.checkin.test_checkin import link
from tests.conftest import TWILIO_TOKEN, Harness, eventually, running_sidecar
from tests.redis_servers import RedisServer, binaries

M = quote(zp.MEETING_UUID, safe="")
ROWAN = ("pu-rowan-1", "Rowan T")
CHECKIN = {"location": {"street": "48 Marigold Terrace", "unit": "2B", "city": "Springfield",
                        "region": "IL", "postal_code": "62704", "country": "US",
                        "room": "sunroom by the piano"},
           "callback_phone": "+13125550131", "emergency_contact_ok": False,
           "emergency_contact": {"name": "Jules Okafor", "relation": "friend",
                                 "phone": "+13125550141"},
           "others_present": "alone", "note": "my neighbour keeps a spare key under the fern"}
CHAT = "honestly the blue umbrella feels heavy tonight"
CHAT_IN_OUTAGE = "there is a weather report in my head and it is loud"
NUMBERS = ["3125550111", "3125550131", "3125550121", "3125550141"]  # record, check-in, support
WORDS = {  # kind -> synthetic values; every one must be absent from every file
    "name": ["Casey B", "Rowan T", "Casey Brightwater", "Brightwater", "Tidewell",
             "Jules Okafor"],
    "address": ["Marigold Terrace", "Larkspur Lane", "Quarry Road", "sunroom by the piano"],
    "code word": ["blue umbrella", "weather report"],
    "note": ["spare key under the fern"],
    "chat": ["feels heavy tonight", "in my head and it is loud"],
    "staff note": ["sister says the inhaler is empty", "pills on the nightstand",
                   "stayed with the cat on video", "mentions the bridge on Route 9",
                   "responders met at the fern"],
    "text reply": ["cannot talk my brother is here"],
    "agreement": ["lockbox behind the cereal", "away from the balcony rail"],
    "e-mail": ["rowan.tidewell@example.org", "casey.brightwater@example.org",
               "dana.brightwater@example.org"],
}
HIGH = {"1": True, "2": True, "3": True, "4": True, "5": False, "6": False}


def number_formats(digits: str) -> list[str]:
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [f"+1{digits}", digits, f"{area}-{exchange}-{line}", f"({area}) {exchange}-{line}",
            f"{exchange}-{line}"]


def phi_values() -> list[tuple[str, str]]:
    found = [(kind, v) for kind, values in WORDS.items() for v in values]
    return found + [("number", f) for n in NUMBERS for f in number_formats(n)]


@dataclass
class Hit:
    path: Path
    kind: str
    value: str
    offset: int  # the first
    times: int


def files_under(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = Path(root) / name
                if path.is_file():
                    yield path


def scan(paths: list[Path], values: list[tuple[str, str]]) -> tuple[list[Hit], int]:
    hits: list[Hit] = []
    total = 0
    for path in paths:
        data = path.read_bytes()
        total += len(data)
        folded = data.lower()
        for kind, value in values:
            needle = value.lower().encode()
            if (at := folded.find(needle)) >= 0:
                hits.append(Hit(path, kind, value, at, folded.count(needle)))
    return hits, total


def report(hits: list[Hit]) -> str:
    return "\n".join(f"{h.kind} {h.value!r} {h.times}x in {h.path}, first at byte {h.offset}"
                     for h in hits)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def private_modes(folder: Path) -> list[str]:
    """What in ``folder`` others could read: folders must be 0700, files 0600."""
    wrong = [f"{folder} {oct(mode(folder))}"] if mode(folder) != 0o700 else []
    for root, dirs, names in os.walk(folder):
        wrong += [f"{Path(root) / d} {oct(mode(Path(root) / d))}" for d in dirs
                  if mode(Path(root) / d) != 0o700]
        wrong += [f"{Path(root) / n} {oct(mode(Path(root) / n))}" for n in names
                  if (Path(root) / n).is_file() and mode(Path(root) / n) & 0o077]
    return wrong


@pytest.fixture(params=[name for name, path in binaries().items() if path])
def own_redis(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test alone (appendonly yes, appendfsync always): its AOF holds
    nothing but this scenario's history."""
    binary = binaries()[request.param]
    assert binary is not None
    server = RedisServer(request.param, binary, tmp_path / "redis-data")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def scenario(own_redis: RedisServer, tmp_path: Path,
                   standin: tuple[TwilioStandIn, str]) -> AsyncIterator[Harness]:
    async with running_sidecar(own_redis.url, tmp_path / "var", standin, {}) as h:
        yield h


async def _kinds(h: Harness) -> list[str]:
    try:
        return await h.kinds()
    except Exception:
        return []


def with_email(body: dict[str, Any], email: str) -> dict[str, Any]:
    obj = body["payload"]["object"]
    (obj["participant"] if "participant" in obj else obj["chat_message"]).update(
        {"email": email, "sender_email": email})
    return body


async def ladder_runs(h: Harness) -> None:
    await join_group(h)  # and Rowan on a second device, signed in to Zoom:
    second = zp.joined(T0 - 50_000, "pu-rowan-2", ROWAN[1])
    assert (await h.zoom(with_email(second, "rowan.tidewell@example.org"))).status_code == 200
    chat = with_email(zp.chat(T0 - 30_000, "16778240", CASEY[1], CHAT),
                      "casey.brightwater@example.org")
    assert (await h.zoom(chat)).status_code == 200
    await h.settle()
    assert "alert.code_word" in await h.kinds()
    token = (await link(h)).split("t=", 1)[1]
    r = await h.http.post(f"{h.base}/api/checkin?t={token}", json=CHECKIN)
    assert r.status_code == 200, r.text
    await h.zoom(zp.disconnected(T0, *CASEY))
    await h.settle()
    roster = await h.roster()
    assert {p["display_name"] for p in roster["people"]} >= {"Casey B", "Rowan T"}
    await h.advance(10)
    await eventually(lambda: calls_to(h, "+13125550131"), timeout=10)

    async def support_called() -> bool:
        await h.advance(30)
        return await calls_to(h, "+13125550121") >= 1

    await eventually(support_called, timeout=15)
    names = {e["data"].get("display_name") for e in await h.timeline()}
    assert "Casey B" in names  # the timeline API opens what it stores sealed
    await text_reply(h, "+13125550131", "cannot talk my brother is here")


async def text_reply(h: Harness, sender: str, body: str) -> None:
    """The client answers the ladder's text (Twilio's inbound message webhook)."""
    url = f"{h.tether.settings.tether_public_url}/webhooks/telephony/sms"
    form = {"MessageSid": "SM" + "1" * 32, "From": sender, "To": "+13125550199", "Body": body}
    r = await h.http.post(url, data=form, headers={
        "X-Twilio-Signature": twilio_signature(TWILIO_TOKEN, url, form)})
    assert r.status_code == 200, r.text
    replies = [e["data"] for e in await h.timeline() if e["kind"] == "sms.reply"]
    assert replies and replies[-1]["text"] == body


async def incident_with_card(h: Harness) -> None:
    """An incident run through: the staff's free text is PHI too."""
    ack = await h.http.post(f"{h.base}/api/meetings/{M}/ladders/client:client-001/ack",
                            json={"note": "sister says the inhaler is empty"},
                            headers=h.token())
    assert ack.status_code == 200, ack.text
    r = await h.http.post(f"{h.base}/api/meetings/{M}/clients/client-001/incidents",
                          json={"trigger": "code_word"}, headers=h.token())
    assert r.status_code == 201, r.text
    inc = f"{h.base}/api/incidents/{r.json()['id']}"
    agreed = await h.http.post(  # its terms go on the agreement and the incident's log
        f"{h.base}/api/meetings/{M}/clients/client-001/agreements", headers=h.token(),
        json={"terms": ["away from the balcony rail"], "note": "lockbox behind the cereal",
              "minutes": 20})
    assert agreed.status_code == 201, agreed.text
    steps: list[tuple[str, dict[str, Any]]] = [
        ("screens", {"answers": HIGH}), ("emergency", {"reason": "pills on the nightstand"}),
        ("steps/call_responders", {"note": "responders met at the fern"}),
        ("handoff", {"facility": "Memorial ED"}),
        ("close", {"documentation": {"risk_assessment": "high; mentions the bridge on Route 9",
                                     "interventions": "stayed with the cat on video",
                                     "outcome": "transported"}})]
    for path, body in steps:
        done = await h.http.post(f"{inc}/{path}", json=body, headers=h.token())
        assert done.status_code == 200, f"{path}: {done.text}"
    card = await h.http.get(f"{inc}/card", headers=h.token())
    assert card.status_code == 200 and card.json()["room"] == CHECKIN["location"]["room"]
    triage = await h.http.post(f"{h.base}/api/meetings/{M}/triage", headers=h.token(), json={
        "participant": CASEY[0], "phase": "failed",
        "detail": "mentions the bridge on Route 9"})
    assert triage.status_code == 200, triage.text
    log = {e["kind"]: e["data"] for e in await h.timeline()}
    assert log["ladder.acknowledged"]["note"] == "sister says the inhaler is empty"
    assert log["emergency.started"]["reason"] == "pills on the nightstand"
    assert log["triage.failed"]["detail"] == "mentions the bridge on Route 9"


async def outage(h: Harness, server: RedisServer, spool: Path
                 ) -> tuple[list[Hit], int, int, list[str]]:
    """Events during an outage are spooled (scanned there, as they sit on disk), then
    replayed when the store is back."""
    server.stop()
    try:
        chat = zp.chat(T0 + 200_000, "16778241", ROWAN[1], CHAT_IN_OUTAGE)
        for body in (zp.joined(T0 + 190_000, "pu-casey-9", "Casey Brightwater"), chat):
            r = await h.zoom(body)
            assert r.status_code == 200 and r.json() == {"spooled": 1}, r.text
        spooled = list(files_under(spool))
        assert spooled, "nothing was spooled"
        hits, size = scan(spooled, phi_values())
        wrong = private_modes(spool)
    finally:
        server.start()

    async def replayed() -> bool:
        return (await _kinds(h)).count("alert.code_word") >= 2

    await eventually(replayed, timeout=15)
    return hits, len(spooled), size, wrong


async def plan_links_sent(h: Harness) -> None:
    """Plan links to Casey and Dana, texted and opened (sidecar/plan): sealed at rest."""
    from tests.plan.flow import CASEY_PHONE, opened, send, texted
    from tests.plan.test_plan_email import with_email

    dana = await with_email(h)  # her e-mail on the record, sealed with it
    assert (await send(h, ["client", dana])).status_code == 202
    for to in (CASEY_PHONE, "+13125550121"):
        [url] = (await texted(h, to))[-1:]
        assert (await opened(h, url)).status_code == 200


async def test_no_phi_in_clear_in_any_data_file(scenario: Harness, own_redis: RedisServer,
                                               tmp_path: Path) -> None:
    h = scenario
    await ladder_runs(h)
    await incident_with_card(h)
    await plan_links_sent(h)
    spool_hits, spool_files, spool_bytes, wrong = await outage(h, own_redis,
                                                                tmp_path / "var" / "spool")
    await h.settle()
    await h.tether.redis.config_set("rdbcompression", "no")  # (the outage's restart reset it)
    await h.tether.redis.save()
    paths = list(files_under(own_redis.workdir))
    assert any(p.suffix == ".rdb" for p in paths) and any(".aof" in p.name for p in paths)
    hits, size = scan(paths, phi_values())
    hits += spool_hits
    print(f"\nPHI scan ({own_redis.name}): {len(paths) + spool_files} files, "
          f"{size + spool_bytes} bytes, {len(phi_values())} values, {len(hits)} hits")
    by_kind = {k: sum(x.times for x in hits if x.kind == k) for k in {x.kind for x in hits}}
    assert not hits, f"PHI in clear at rest {by_kind}:\n" + report(hits)
    assert not wrong, "spool files others can read:\n" + "\n".join(wrong)


async def test_embedded_store_files_are_private(
        tmp_path: Path, standin: tuple[TwilioStandIn, str]) -> None:
    folder = tmp_path / "redis"
    folder.mkdir(mode=0o755)  # as an older version left it
    (folder / "redis.log").write_text("an older server's log\n")
    (folder / "redis.log").chmod(0o644)
    async with running_sidecar("", tmp_path, standin, {}) as h:
        await join_group(h)
        await h.settle()
        await h.tether.redis.save()
        await h.tether.redis.bgrewriteaof()
        info: dict[str, Any] = {}

        async def rewritten() -> bool:
            info.update(await h.tether.redis.info("persistence"))
            return not info["aof_rewrite_in_progress"]

        await eventually(rewritten, timeout=10)
        wrong = private_modes(folder)
        names = sorted(p.name for p in files_under(folder))
    print(f"\nembedded store: {names}")
    assert "dump.rdb" in names and any(".aof" in n for n in names)
    assert not wrong, "data files others can read:\n" + "\n".join(wrong)
