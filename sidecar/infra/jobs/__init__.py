"""The durable job engine: one mechanism for timers and for external effects."""

from sidecar.infra.jobs.engine import JobEngine
from sidecar.infra.jobs.model import (
    ClaimedJob,
    Defer,
    Done,
    Handler,
    Outcome,
    Retry,
    read_payload,
)

__all__ = ["ClaimedJob", "Defer", "Done", "Handler", "JobEngine", "Outcome", "Retry",
           "read_payload"]
