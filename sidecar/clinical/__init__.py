"""Pure clinical rules: screening, triage policy, consent, aftercare and check-in checks.

Nothing here does I/O or reads the clock; callers pass times in (epoch milliseconds or
aware datetimes), so every rule can be tested by hand-computed values.

May import: nothing of the sidecar but itself, and no I/O library (Redis, HTTP).
"""
