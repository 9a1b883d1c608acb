"""Incidents: one client's crisis or emergency in one session, from the first alarm to the
follow-ups. The model and its store, the emergency card and warm handoff, whom to call for
an address, figures across incidents, the after-action job, 1:1 triage, and the routes.

May import: ``sidecar.checkin``, ``sidecar.presence``, ``sidecar.records``,
``sidecar.infra``, ``sidecar.clinical``, ``contracts``.
"""
