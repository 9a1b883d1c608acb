"""A plan link lives 30 days, longer than a retired key's token keys are kept (48 hours):
after a rotation has resealed the store and retired the old key for good, a texted link
still opens (checked against the digest of the token we sent), and a token with the same
id but another signature still opens nothing."""

from __future__ import annotations

from sidecar.infra.keyring import new_key
from sidecar.infra.reseal import Sweep
from tests.conftest import Harness
from tests.plan.flow import CASEY_PHONE, opened, prepared, send, texted


async def test_a_link_opens_after_its_key_is_retired(harness: Harness) -> None:
    h = harness
    await prepared(h)
    await send(h, ["client"])
    [url] = await texted(h, CASEY_PHONE)
    old = h.tether.keyring.primary
    assert url.endswith("." + old)

    ring = h.tether.keyring
    ring.replace(ring.state.with_new_primary(new_key()))
    await Sweep(h.tether.redis, h.tether.cipher).walk(resume=False)
    ring.replace(ring.state.retiring(int(h.clock.now() * 1000), 0))  # token keys gone too
    assert old not in ring.active() and ring.primary != old

    page = await opened(h, url)
    assert page.status_code == 200 and "Casey's safety plan" in page.text
    mac = url.split("t=", 1)[1].split(".")[1]
    forged = url.replace(mac, ("A" if mac[0] != "A" else "B") + mac[1:])
    refused = await opened(h, forged)
    assert refused.status_code == 403 and "not valid" in refused.text

    await send(h, ["client"])  # a link sent now is signed by the new key
    fresh = (await texted(h, CASEY_PHONE, 2))[1]
    assert fresh.endswith("." + ring.primary)
    assert (await opened(h, fresh)).status_code == 200
