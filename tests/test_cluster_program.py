"""The program's own keys on a real Redis Cluster: the sidecar (without its workers, which
apply events: not yet cluster-ready) starts on three primaries with a replica each, takes
webhooks into its inbox once each, saves an admin's configuration, signs staff in, and
keeps its audit record, all under the ``{tether}`` hash tag."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from sidecar.infra import keys
from sidecar.infra.telephony.standin import TwilioStandIn
from tests import zoom_payloads as zp
from tests.cluster_servers import ClusterSet
from tests.conftest import Harness, running_sidecar
from tests.records.test_config_api import ADMIN, doc, new_person, save
from tests.redis_servers import binaries

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=[n for n, path in binaries().items() if path])
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[ClusterSet]:
    binary = binaries()[request.param]
    assert binary is not None
    servers = ClusterSet(binary, tmp_path_factory.mktemp("cluster"))
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()


@pytest.fixture
async def on_cluster(cluster: ClusterSet, tmp_path: Path, standin: tuple[TwilioStandIn, str],
                     policy: dict[str, Any]) -> AsyncIterator[Harness]:
    async with running_sidecar(cluster.url, tmp_path, standin, policy, workers=False) as h:
        yield h


async def test_webhooks_are_taken_once_each_on_a_cluster(on_cluster: Harness) -> None:
    h = on_cluster
    joined = zp.joined(1_800_000_000_000 - 5000, "pu-casey-1", "Casey B")
    left = zp.left(1_800_000_000_000 - 1000, "pu-casey-1", "Casey B")
    assert (await h.zoom(joined)).json() == {"accepted": 1}
    assert (await h.zoom(joined)).json() == {"accepted": 0}  # Zoom's retry: a repeat
    assert (await h.zoom(left)).json() == {"accepted": 1}
    assert await h.tether.redis.xlen(keys.INBOX) == 2


async def test_an_admin_saves_and_staff_sign_in_on_a_cluster(on_cluster: Harness) -> None:
    h = on_cluster
    staff, etag = await doc(h, "staff")
    r = await save(h, "staff", [*staff["body"], new_person()], etag)
    assert r.status_code == 200, r.text
    assert h.tether.config.staff_by_id("cofac-rowe") is not None
    me = await h.http.get(f"{h.base}/auth/me", headers=await h.session("cofac-rowe"))
    assert me.json()["name"] == "Rowe Halvorsen"
    actions = [e["action"] for _, e in await h.tether.redis.xrange(keys.AUDIT)]
    assert "config.saved:staff" in actions
    assert (await doc(h, "staff", ADMIN))[1] != etag


async def test_the_coaching_library_is_seeded_once_and_grows_on_a_cluster(
        on_cluster: Harness) -> None:
    h = on_cluster
    lib = f"{h.base}/api/admin/coaching"
    first = (await h.http.get(lib, headers=h.token(ADMIN))).json()["pages"]
    assert len(first) == 3  # the defaults, stored once
    r = await h.http.post(lib, headers=h.token(ADMIN), json={
        "title": "After a hard night", "summary": "What the next morning can look like.",
        "body": "Be gentle with each other."})
    assert r.status_code == 201, r.text
    again = await h.http.post(lib, headers=h.token(ADMIN), json={
        "title": "After a hard night", "summary": "Again.", "body": "Again."})
    assert again.status_code == 409  # the id is taken: never written over
    pages = (await h.http.get(lib, headers=h.token(ADMIN))).json()["pages"]
    assert "after-a-hard-night" in [p["id"] for p in pages] and len(pages) == 4
