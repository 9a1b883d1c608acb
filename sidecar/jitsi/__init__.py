"""Jitsi inside the sidecar, without plugin code: the join gate (check in first, then a
join token), the join page's heartbeats and their watchdog job, and the clinician console
(its page, session and the events only the browser sees).

May import: ``sidecar.checkin``, ``sidecar.presence``, ``sidecar.records``,
``sidecar.infra``, ``contracts``, ``plugins.base``, ``webhooks`` (the ingest error).
"""
