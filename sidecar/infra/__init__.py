"""Infrastructure every capability stands on: the store and its keys, the clock, field
encryption and derived keys, settings and the program config, metrics, logs, errors,
validation messages, the audit stream, staff tokens, timeline entries, the durable job
engine (``jobs/``, its Lua scripts) and the telephony port with its Twilio client and
stand-in (``telephony/``).

May import: ``contracts``, ``plugins.base``, ``webhooks`` and ``sidecar.clinical`` (the
program config embeds its policies). Imports no capability.
"""
