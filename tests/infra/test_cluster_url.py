"""TETHER_REDIS_URL for a Redis Cluster: what is read from it, and a clear refusal otherwise."""

from __future__ import annotations

import pytest

from sidecar.infra.cluster_url import ClusterUrlError, is_cluster, parse


def test_nodes_and_password() -> None:
    got = parse("redis+cluster://:s%40cret@10.0.0.5:7000,redis-b,10.0.0.7:7002/0")
    assert got.nodes == (("10.0.0.5", 7000), ("redis-b", 6379), ("10.0.0.7", 7002))
    assert got.password == "s@cret"
    assert "s@cret" not in got.where() and "redis-b:6379" in got.where()
    assert parse("redis+cluster://redis-a:7000").password is None
    assert is_cluster("redis+cluster://a") and not is_cluster("redis+sentinel://a/b")


@pytest.mark.parametrize(("url", "says"), [
    ("redis+cluster://", "names no node"),
    ("redis+cluster://a:port", "host:port"),
    ("redis+cluster://a:7000/1", "only database 0"),
    ("redis+cluster://a:7000?read_from_replicas=yes", "no options"),
    ("redis://a:7000", "starts with redis\\+cluster://"),
])
def test_a_url_that_cannot_work_is_refused_in_words(url: str, says: str) -> None:
    with pytest.raises(ClusterUrlError, match=says):
        parse(url)
