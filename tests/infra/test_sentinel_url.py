"""TETHER_REDIS_URL for Sentinels: what is read from it, and a clear refusal otherwise."""

from __future__ import annotations

import pytest

from sidecar.infra.sentinel_url import SentinelUrlError, is_sentinel, parse


def test_sentinels_service_database_and_passwords() -> None:
    got = parse("redis+sentinel://:s%40cret@10.0.0.5:26380,sentinel-b,10.0.0.7:26379/tether/2"
                "?sentinel_password=watch")
    assert got.sentinels == (("10.0.0.5", 26380), ("sentinel-b", 26379), ("10.0.0.7", 26379))
    assert (got.service, got.db, got.password, got.sentinel_password) == (
        "tether", 2, "s@cret", "watch")
    assert "s@cret" not in got.where() and "watch" not in got.where()
    assert is_sentinel("redis+sentinel://a/b") and not is_sentinel("redis://a:6379/0")


@pytest.mark.parametrize(("url", "says"), [
    ("redis+sentinel:///tether", "no Sentinel"),
    ("redis+sentinel://a:26379", "no service"),
    ("redis+sentinel://a:port/tether", "host:port"),
    ("redis+sentinel://a/tether/zero", "database number"),
])
def test_a_url_that_cannot_work_is_refused_in_words(url: str, says: str) -> None:
    with pytest.raises(SentinelUrlError, match=says):
        parse(url)
