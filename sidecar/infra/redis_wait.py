"""Waiting for the Redis server at start-up (``TETHER_REDIS_URL``): a server still starting
is asked again with backoff, one line logged per attempt; a server that refuses the
password, or one that never answers within the wait, is a StartupProblem in one sentence."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.sentinel import MasterNotFoundError, Sentinel
from redis.exceptions import AuthenticationError, RedisClusterException, RedisError, ResponseError

from sidecar.infra.cluster_url import SCHEME as CLUSTER_SCHEME
from sidecar.infra.cluster_url import ClusterUrlError, is_cluster
from sidecar.infra.cluster_url import parse as parse_cluster_url
from sidecar.infra.problems import StartupProblem
from sidecar.infra.sentinel_url import SCHEME as SENTINEL_SCHEME
from sidecar.infra.sentinel_url import SentinelUrlError, is_sentinel
from sidecar.infra.sentinel_url import parse as parse_sentinel_url
from sidecar.infra.store_client import StoreClient

logger = logging.getLogger(__name__)
FIRST_PAUSE_S = 0.25
LONGEST_PAUSE_S = 5.0
PING_TIMEOUT_S = 2.0
SCHEMES = ("redis", "rediss", "unix", SENTINEL_SCHEME, CLUSTER_SCHEME)


class RedisUnreachable(StartupProblem):
    """Nothing answered at TETHER_REDIS_URL within TETHER_REDIS_WAIT_S."""


class RedisRefusedPassword(StartupProblem):
    """The server answered but would not let us in with the URL's password."""


class RedisUrlMalformed(StartupProblem):
    """TETHER_REDIS_URL is not a Redis address."""


def where(url: str) -> str:
    """The server's address for a log line or a sentence: never the password."""
    if is_sentinel(url):
        try:
            return parse_sentinel_url(url).where()
        except SentinelUrlError:
            return "Sentinel ?"
    if is_cluster(url):
        try:
            return parse_cluster_url(url).where()
        except ClusterUrlError:
            return "Cluster ?"
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    try:
        port = parts.port or 6379
    except ValueError:
        port = 0
    return f"{parts.hostname or '?'}:{port}"


def _refused_password(exc: BaseException) -> bool:
    """redis-py wraps the server's refusal (WRONGPASS, NOAUTH) in a ConnectionError."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, AuthenticationError) or (
                isinstance(seen, ResponseError) and str(seen).startswith(("NOAUTH", "WRONGPASS"))):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _few_words(exc: BaseException) -> str:
    """The operating system's reason when there is one ("connection refused")."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MasterNotFoundError):
            return "no Sentinel answered with a primary for the service"
        if isinstance(seen, ConnectionRefusedError):
            return "connection refused"
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror.lower()
        seen = seen.__cause__ or seen.__context__
    return str(exc) or type(exc).__name__


def _unreachable(url: str, wait_s: float, problem: str) -> str:
    if not wait_s:
        return (f"Redis at {where(url)} does not answer ({problem}): start it or correct "
                "TETHER_REDIS_URL.")
    return (f"Redis at {where(url)} did not answer within {wait_s:g} s ({problem}): start "
            "it or correct TETHER_REDIS_URL (TETHER_REDIS_WAIT_S sets the wait).")


def check_url(url: str) -> None:
    if urlsplit(url).scheme not in SCHEMES:
        raise RedisUrlMalformed(
            "TETHER_REDIS_URL must start with redis://, rediss://, unix://, "
            "redis+sentinel:// or redis+cluster:// (for example "
            "redis://:PASSWORD@redis:6379/0).")
    if is_sentinel(url):
        try:
            parse_sentinel_url(url)
        except SentinelUrlError as exc:
            raise RedisUrlMalformed(
                f"TETHER_REDIS_URL names Sentinels but {exc} (for example "
                "redis+sentinel://:PASSWORD@sentinel-a:26379,sentinel-b:26379/tether/0)."
            ) from exc
    if is_cluster(url):
        try:
            parse_cluster_url(url)
        except ClusterUrlError as exc:
            raise RedisUrlMalformed(
                f"TETHER_REDIS_URL names a Cluster but {exc} (for example "
                "redis+cluster://:PASSWORD@redis-a:6379,redis-b:6379,redis-c:6379)."
            ) from exc


def _client(url: str) -> StoreClient:
    if is_cluster(url):
        nodes = parse_cluster_url(url)
        return RedisCluster(startup_nodes=[ClusterNode(h, p) for h, p in nodes.nodes],
                            password=nodes.password, socket_connect_timeout=PING_TIMEOUT_S,
                            socket_timeout=PING_TIMEOUT_S)
    if not is_sentinel(url):
        return aioredis.Redis.from_url(url, socket_connect_timeout=PING_TIMEOUT_S,
                                       socket_timeout=PING_TIMEOUT_S)
    spec = parse_sentinel_url(url)
    options = {"socket_connect_timeout": PING_TIMEOUT_S, "socket_timeout": PING_TIMEOUT_S}
    sentinels = Sentinel(list(spec.sentinels), sentinel_kwargs={
        **options, "password": spec.sentinel_password}, password=spec.password, db=spec.db,
        **options)
    return sentinels.master_for(spec.service, redis_class=aioredis.Redis)


async def ping(url: str) -> str | None:
    """None when the server answered PING; else what went wrong, in a few words.
    A refused password raises at once: waiting longer would not change the answer."""
    client = _client(url)
    try:
        await client.ping()
        return None
    except (RedisError, RedisClusterException, OSError) as exc:
        if _refused_password(exc):
            raise RedisRefusedPassword(
                f"Redis at {where(url)} refused the password in TETHER_REDIS_URL (wrong or "
                "missing): put the server's requirepass in the URL, as "
                "redis://:PASSWORD@host:6379/0.") from exc
        return _few_words(exc)
    finally:
        await client.aclose()


async def wait_for_redis(url: str, wait_s: float, *,
                         now: Callable[[], float] = time.monotonic,
                         sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> int:
    """Ask until the server answers; the number of attempts it took."""
    check_url(url)
    deadline, pause, attempt = now() + wait_s, FIRST_PAUSE_S, 0
    while True:
        attempt += 1
        problem = await ping(url)
        if problem is None:
            return attempt
        left = deadline - now()
        if left <= 0:
            raise RedisUnreachable(_unreachable(url, wait_s, problem))
        pause = min(pause, left)
        logger.warning("redis at %s not answering yet (attempt %d: %s); asking again in "
                       "%.2g s", where(url), attempt, problem, pause)
        await sleep(pause)
        pause = min(pause * 2, LONGEST_PAUSE_S)
