"""The session check-in: where the client is right now and the number to call back. Signed
links and the encrypted store, the rules applied on submit, texting a link, the reminder
job for a missing check-in, one-time codes for a client who checks in from inside the
meeting (and whose check-in such a token may take over), and the routes (link, form,
submission, "I moved", "I need a moment").

May import: ``sidecar.presence``, ``sidecar.records``, ``sidecar.infra``,
``sidecar.clinical``, ``contracts``. The platform capabilities (Zoom, Jitsi), the callback
ladder and incidents build on it.
"""
