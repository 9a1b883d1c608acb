"""Who is in the meeting, right now: the inbox that accepts platform events, the applier
that turns them into roster rows, timeline lines and ladder jobs (``plan.py``, pure), the
meeting store, identity on first sight, chat code words, and the panel routes over them
(meeting list, timeline, live stream, "this is Casey").

May import: ``sidecar.infra``, ``sidecar.records``, ``sidecar.clinical``, ``contracts``,
``webhooks`` (the ingest error). Every capability that reacts to events imports this one.
"""
