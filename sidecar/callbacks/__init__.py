"""Connection lost: the callback ladder (call the client, then a consented support person,
then prompt the clinicians to send responders), the telephony provider's status callbacks
and TwiML, and the panel's "I'm calling them" that stops a ladder.

May import: ``sidecar.checkin``, ``sidecar.presence``, ``sidecar.records``,
``sidecar.infra``, ``sidecar.clinical``, ``contracts``.
"""
