"""Property-based requests against a live sidecar, from its own ``/openapi.json``: every
operation, valid and invalid inputs, as an admin, as the clinical lead and without any
credentials. No answer may be a server error (a 5xx the document does not declare, and
never a 500), every refusal says something, and every answer is what the document says:
a status it lists, a content type it lists for that status, a body its schema allows.
Synthetic data only."""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    FailureGroup,
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import zoom_payloads as zp
from tests.callbacks.test_callback_ladder import join_group
from tests.conftest import Harness, _servers
from tests.jitsi import events as jitsi
from tests.redis_servers import RedisServer

EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}  # per operation
TIMEOUT_S = 10
CONFORMANCE = [response_schema_conformance, content_type_conformance, status_code_conformance]

# the CSV imports' bodies: a header the importer knows, then rows of odd cells
_CELL = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_CSV = st.builds(lambda header, rows: header + "\n" + "\n".join(",".join(r) for r in rows),
                 st.sampled_from(["id,name,callback_phone,timezone", "id,name,email,phone,roles",
                                  "name", ""]),
                 st.lists(st.lists(_CELL, max_size=5), max_size=4))
schemathesis.openapi.media_type("text/csv", _CSV.map(str.encode))


@dataclass
class Tally:
    statuses: collections.Counter[int] = field(default_factory=collections.Counter)
    declared_5xx: collections.Counter[str] = field(default_factory=collections.Counter)
    undeclared: collections.Counter[str] = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)
    mismatches: collections.Counter[str] = field(default_factory=collections.Counter)
    examples: dict[str, str] = field(default_factory=dict)
    operations: set[str] = field(default_factory=set)
    nothing_to_break: int = 0  # operations with no invalid input to send

    def judge(self, label: str, declared: set[str], response: requests.Response,
              repro: str) -> None:
        code = response.status_code
        self.statuses[code] += 1
        if str(code) not in declared:
            self.undeclared[f"{label} -> {code}"] += 1
        if code == 500 or (code >= 500 and str(code) not in declared):
            self.failures.append(f"{label} -> {code}: {response.text[:200]!r}\n  {repro}")
        elif code >= 500:
            self.declared_5xx[f"{label} -> {code}"] += 1
        elif code >= 400 and (not response.text.strip() or "Traceback" in response.text):
            self.failures.append(f"{label} -> {code} without a sentence\n  {repro}")

    def conform(self, label: str, case: Any, response: requests.Response) -> None:
        """The answer is one the document describes (status, content type, body)."""
        try:
            case.validate_response(response, checks=CONFORMANCE)
        except FailureGroup as group:
            for failure in group.exceptions:
                kind = f"{label} -> {response.status_code}: {failure.title}"
                self.mismatches[kind] += 1
                self.examples.setdefault(kind, f"{str(failure.message)[:300]}\n  "
                                               f"{case.as_curl_command()}")


Auths = dict[str, Callable[[], dict[str, str]]]


def fuzz(op: Any, mode: GenerationMode, base: str, auths: Auths, session: requests.Session,
         tally: Tally, examples: int, known: dict[str, dict[str, str]] | None = None) -> None:
    """``examples`` generated requests to one operation, each sent as every caller;
    ``known``: path and query parameters held at values that exist."""
    declared = set(op.definition.raw.get("responses", {}))

    @settings(max_examples=examples, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode, **(known or {})))
    def run(case: Any) -> None:
        for headers in auths.values():
            try:
                r = case.call(base_url=base, session=session, headers=headers(),
                              timeout=TIMEOUT_S)
            except requests.RequestException as exc:
                tally.failures.append(f"{op.label}: no answer ({exc!r})\n"
                                      f"  {case.as_curl_command()}")
                continue
            tally.judge(op.label, declared, r, case.as_curl_command())
            tally.conform(op.label, case, r)

    try:
        run()
    except Unsatisfiable:  # nothing to make invalid (no parameters, no body)
        tally.nothing_to_break += 1


def exercise(base: str, auths: Auths, known: dict[str, str], deep: Auths) -> Tally:
    """Every operation of the served document, each generation mode, each caller; then,
    as ``deep``, every operation with path parameters at ids that exist (``known``), so
    the handlers, not only the gate, see the odd bodies and queries. An open event stream
    is left out of that pass: it answers for as long as the session lasts."""
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    tally = Tally()
    session = requests.Session()
    for result in schema.get_all_operations():
        op = result.ok()
        tally.operations.add(op.label)
        for mode, examples in EXAMPLES.items():
            fuzz(op, mode, base, auths, session, tally, examples)
        held = holding(op, known)
        if held is not None:
            for mode, examples in EXAMPLES.items():
                fuzz(op, mode, base, deep, session, tally, examples, held)
    return tally


def holding(op: Any, known: dict[str, str]) -> dict[str, dict[str, str]] | None:
    """The parameters to hold at values that exist: every path parameter, and a client's
    link (``t``: the Jitsi one on the Jitsi routes); None when some are unknown."""
    names = {p.name for p in op.path_parameters}
    query = {p.name for p in op.query}
    if not (names or "t" in query) or not names <= set(known) or op.path.endswith("/stream"):
        return None
    held: dict[str, dict[str, str]] = {"path_parameters": {n: known[n] for n in names}}
    if "t" in query:
        jitsi_route = op.path.startswith(("/api/jitsi/", "/join/"))
        held["query"] = {"t": known["jitsi_link" if jitsi_route else "checkin_link"]}
    return held


def report(t: Tally) -> str:
    lines = [f"operations: {len(t.operations)} ({t.nothing_to_break} with no invalid input), "
             f"requests: {sum(t.statuses.values())}",
             "statuses: " + ", ".join(f"{c}: {n}" for c, n in sorted(t.statuses.items())),
             f"server errors (500, or a 5xx not declared): {len(t.failures)}",
             "declared 5xx (not set up here): " + ", ".join(
                 f"{k} x{n}" for k, n in sorted(t.declared_5xx.items())),
             f"answers the document does not list: {len(t.undeclared)} kinds, e.g. "
             + ", ".join(sorted(t.undeclared)[:10]),
             f"answers unlike the document (status, content type or schema): "
             f"{sum(t.mismatches.values())} in {len(t.mismatches)} kinds"]
    mismatches = [f"{k} x{n}\n  {t.examples[k]}" for k, n in sorted(t.mismatches.items())]
    return "\n".join(lines + t.failures[:30] + mismatches[:40])


async def test_no_server_errors_anywhere(harness: Harness, redis_server: RedisServer) -> None:
    if redis_server.name != _servers()[0]:
        pytest.skip("once is enough: the generated requests do not depend on the Redis")
    h = harness
    await join_group(h)
    await h.settle()
    auths: Auths = {
        "admin": lambda: h.token("admin-jordan"),
        "clinical lead": lambda: h.token("clinlead-sasha"),
        "nobody": dict,
    }
    incident = await h.http.post(
        f"{h.base}/api/meetings/{quote(zp.MEETING_UUID, safe='')}/clients/client-001/incidents",
        json={"trigger": "clinician"}, headers=h.token("clinlead-sasha"))
    known = {"meeting": zp.MEETING_UUID, "client": "client-001", "incident":
             incident.json()["id"], "room": jitsi.ROOM, "participant": "pu-casey-1",
             "subject": "client:client-001", "doc": "groups", "staff": "cofac-morgan",
             "key": "call_911", "kind": "caregiver_checkin", "platform": "zoom"}
    lead = h.token("clinlead-sasha")
    checkin = await h.http.post(f"{h.base}/api/meetings/{quote(zp.MEETING_UUID, safe='')}"
                                "/clients/client-001/checkin-link", headers=lead)
    join = await h.http.post(f"{h.base}/api/jitsi/rooms/{jitsi.ROOM}/clients/client-001"
                             "/join-link", json={}, headers=lead)
    known |= {"checkin_link": checkin.json()["url"].split("t=", 1)[1],
              "jitsi_link": join.json()["url"].split("t=", 1)[1]}
    tally = await asyncio.to_thread(exercise, h.base, auths, known,
                                    {"clinical lead": auths["clinical lead"]})
    print(report(tally))
    served = (await h.http.get(f"{h.base}/openapi.json")).json()["paths"]
    every = {f"{m.upper()} {p}" for p, ops in served.items() for m in ops}
    assert every - tally.operations == {"GET /openapi.json"}  # the document itself is not fuzzed
    assert not tally.failures, report(tally)
    assert not tally.mismatches, report(tally)
