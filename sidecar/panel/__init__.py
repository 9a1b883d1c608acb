"""The clinicians' panel's views across capabilities: the roster with each client's check-in,
and the dispatch card (location, callback number, consented contacts).

May import: ``sidecar.checkin``, ``sidecar.presence``, ``sidecar.records``,
``sidecar.infra``, ``contracts``.
"""
