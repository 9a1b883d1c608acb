"""Zoom inside the sidecar, without plugin code: the Zoom App's entry (app context to a
panel session or a client's in-meeting check-in, with its one-time code step), and the
recording guard with the panel's own stop. Concrete Zoom plugins are reached only through
what ``services.py`` wires in.

May import: ``sidecar.checkin``, ``sidecar.presence``, ``sidecar.records``,
``sidecar.infra``, ``contracts``, ``plugins.base``.
"""
