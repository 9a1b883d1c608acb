"""Prometheus metrics, one registry per app (no module-level singletons)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


@dataclass(frozen=True)
class Metrics:
    registry: CollectorRegistry
    events: Counter
    rejected: Counter
    unknown_events: Counter
    unmapped: Counter
    spooled: Counter
    job_lag: Histogram
    disconnect_to_dial: Histogram
    overdue_jobs: Gauge
    apply_failures: Counter
    incidents: Counter
    screens: Counter
    emergency_to_responders: Histogram
    followups_overdue: Counter
    sms_failures: Counter
    call_outcomes: Counter

    @classmethod
    def create(cls) -> Metrics:
        r = CollectorRegistry()
        return cls(
            registry=r,
            events=Counter("tether_webhook_events", "Platform events accepted",
                           ["platform", "type"], registry=r),
            rejected=Counter("tether_webhook_rejected", "Callbacks refused",
                             ["platform", "reason"], registry=r),
            unknown_events=Counter("tether_webhook_unknown", "Platform event types ignored",
                                   ["platform", "event"], registry=r),
            unmapped=Counter("tether_events_unmapped", "Events of meetings no program owns",
                             ["platform"], registry=r),
            spooled=Counter("tether_webhook_spooled", "Events spooled while Redis was down",
                            ["platform"], registry=r),
            job_lag=Histogram("tether_job_lag_seconds", "Claim time minus due time",
                              ["kind"], registry=r,
                              buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)),
            disconnect_to_dial=Histogram(
                "tether_disconnect_to_dial_seconds", "Client disconnect to first callback dial",
                registry=r, buckets=(5, 10, 15, 20, 30, 40, 50, 55, 60, 90, 120)),
            overdue_jobs=Gauge("tether_jobs_overdue", "Jobs past due by more than the slack",
                               registry=r),
            apply_failures=Counter("tether_apply_failures", "Inbox events that failed to apply",
                                   registry=r),
            incidents=Counter("tether_incidents_opened", "Incidents opened", ["trigger"],
                              registry=r),
            screens=Counter("tether_safety_screens", "C-SSRS screens by level", ["level"],
                            registry=r),
            emergency_to_responders=Histogram(
                "tether_emergency_to_responders_seconds",
                "Emergency protocol start to responders called", registry=r,
                buckets=(30, 60, 120, 180, 300, 600, 900, 1800)),
            followups_overdue=Counter("tether_followups_overdue", "After-action tasks overdue",
                                      ["task"], registry=r),
            sms_failures=Counter("tether_sms_failures", "Texts refused or not delivered",
                                 ["purpose"], registry=r),
            call_outcomes=Counter("tether_callback_outcomes",
                                  "Callback calls by outcome (reached: a person pressed 1)",
                                  ["action", "outcome"], registry=r),
        )
