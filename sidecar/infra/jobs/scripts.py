"""The engine's Lua scripts, loaded once per client."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from redis.commands.core import AsyncScript

from sidecar.infra.store_client import StoreClient


def _source(name: str) -> str:
    lua = resources.files("sidecar.infra.jobs") / "lua"
    return (lua / f"{name}.lua").read_text(encoding="utf-8")


def _without_comments(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("--"))


# sent with each EVAL inside a caller's MULTI (schedule_cmds), so without its comments
RESET_SOURCE = _without_comments(_source("reset"))
# "a job was scheduled", from inside a caller's MULTI; bound to the job's hash (KEYS[1], not
# read) so a cluster client sends it to the job's slot with the rest of the MULTI
WAKE_SOURCE = "return redis.call('PUBLISH', ARGV[1], ARGV[2])"


@dataclass(frozen=True)
class Scripts:
    schedule: AsyncScript
    claim: AsyncScript
    touch: AsyncScript
    defer: AsyncScript
    complete: AsyncScript
    cancel: AsyncScript
    signal: AsyncScript

    @classmethod
    def register(cls, redis: StoreClient) -> Scripts:
        names = ("schedule", "claim", "touch", "defer", "complete", "cancel", "signal")
        return cls(**{n: redis.register_script(_source(n)) for n in names})
