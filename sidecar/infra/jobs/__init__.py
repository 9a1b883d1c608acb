"""The durable job engine: one mechanism for timers and for external effects."""

from sidecar.jobs.engine import JobEngine
from sidecar.jobs.model import ClaimedJob, Defer, Done, Handler, Outcome, Retry

__all__ = ["ClaimedJob", "Defer", "Done", "Handler", "JobEngine", "Outcome", "Retry"]
