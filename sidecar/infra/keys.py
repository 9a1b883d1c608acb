"""Every Redis key Tether uses, with its type and lifetime.

Every key carries a hash tag, so that any one operation stays in one Redis Cluster slot:

- a meeting's keys carry its shard's tag (``meeting_shard``: one of ``MEETING_SHARDS``,
  picked by a hash of the meeting id), and so do the jobs of that meeting (its callback
  ladders, heartbeat watches and agreement reminders) and the due index they wait in, so a
  meeting's state, timeline and jobs change in one MULTI;
- every other key shares ``{tether}`` (the program's own: its clients, configuration, staff
  sessions, audit record, inbox, incidents), as do the program's own jobs (aftercare,
  plan links) and their due index.

The job engine claims from every shard's due index in turn (``DUE_INDEXES``). A store an
earlier version wrote (keys named ``tether:...``, ``{m:<meeting>}:...`` or ``{jobs}:...``)
is moved to these names at start (``sidecar/infra/key_layout.py``). Pub/sub channels are not
keys and keep their names. Sealed values name their record by the names of before the
shards (``sidecar/infra/sealing.py``), so moving a key never changes what opens it.
"""

from __future__ import annotations

import zlib

PROGRAM_TAG = "{tether}"
# Sixteen tags whose slots fall one in each sixteenth of Redis Cluster's 16,384 slots, so a
# cluster whose primaries serve equal slot ranges (as ``redis-cli --cluster create`` deals
# them) gets an equal share of meetings. Fixed for ever: changing one moves data.
MEETING_SHARDS = (
    "{s0.10}", "{s1.13}", "{s2.23}", "{s3.20}", "{s4.0}", "{s5.3}", "{s6.40}", "{s7.43}",
    "{s8.23}", "{s9.20}", "{s10.22}", "{s11.21}", "{s12.2}", "{s13.1}", "{s14.41}",
    "{s15.42}")
JOB_SHARDS = (PROGRAM_TAG, *MEETING_SHARDS)  # every tag a job may carry
DUE_SUFFIX = ":due"  # ZSET per job shard: job key -> due ms (a leased job: its lease
#   deadline). Permanent.
DUE_INDEXES = tuple(tag + DUE_SUFFIX for tag in JOB_SHARDS)
JOB_INFIX = ":job:"  # HASH per job, ``job()`` (fields: sidecar/infra/jobs/model.py); expires
#   JOB_DONE_TTL_S after done or cancelled
LEGACY_PREFIX = "tether:"  # the program's keys before they shared PROGRAM_TAG
LEGACY_MEETING_PREFIX = "{m:"  # a meeting's keys before the shards: {m:<meeting>}:<what>
LEGACY_JOB_PREFIX = "{jobs}:job:"  # a job's hash before the shards: {jobs}:job:<job key>
LEGACY_JOBS_DUE = "{jobs}:due"  # the one due index before the shards
LAYOUT = "{tether}:layout"  # STRING: the key layout this store is in (LAYOUT_VERSION)
LAYOUT_VERSION = "3"
JOBS_WAKE_CHANNEL = "tether:jobs:wake"  # pub/sub: "a job was scheduled"; a hint, never relied on
JOB_DONE_TTL_S = 7 * 24 * 3600

INBOX = "{tether}:inbox"  # STREAM of accepted platform events; group INBOX_GROUP; MAXLEN ~ 1e6;
#   an entry is deleted once applied (acknowledged), so it holds the backlog only
INBOX_GROUP = "apply"
SEEN_PREFIX = "{tether}:seen:"  # STRING per delivery id, de-duplication; TTL SEEN_TTL_S
SEEN_TTL_S = 48 * 3600

ACTIVE_SUFFIX = ":meetings:active"  # SET per meeting shard of the ids of its meetings with
#   people (``active_meetings``); the auditor's worklist
ACTIVE_INDEXES = tuple(tag + ACTIVE_SUFFIX for tag in MEETING_SHARDS)
LEGACY_ACTIVE_MEETINGS = "{tether}:meetings:active"  # the one set before the shards
CLIENT_PREFIX = "{tether}:client:"  # HASH per client record, PHI fields encrypted. Permanent.
CLIENT_IDENT = "{tether}:client-ident"  # HASH blind index of identities -> client id. Permanent.
CALL_PREFIX = "{tether}:call:"  # HASH per telephony call sid -> job key and intent; TTL 2 days
CALL_TTL_S = 2 * 24 * 3600
SMS_FROM_PREFIX = "{tether}:sms-from:"  # STRING per blind index of a number we texted -> the
SMS_FROM_TTL_S = 12 * 3600  # ladder that texted it (JSON, no PHI); TTL 12 h
LADDER_OWNER_PREFIX = "{tether}:ladder-owner:"  # STRING per ladder job -> the staff id who took
#   the alert ("I'm calling them"); a client who presses 1 later is put through to them; TTL 2 days
CHECKIN_CODE_PREFIX = "{tether}:checkin-code:"  # HASH per client, see checkin_code()
CHECKIN_CODE_ASK_PREFIX = "{tether}:checkin-code-ask:"  # HASH per request, see checkin_code_ask()
CHECKIN_CODES_SENT_PREFIX = "{tether}:checkin-codes-sent:"  # ZSET per client, checkin_codes_sent()
SESSION_PREFIX = "{tether}:session:"  # HASH per staff session, by the SHA-256 of its cookie;
#   TTL: its idle time-out, never past its absolute limit. See sessions.py
STAFF_SESSIONS_PREFIX = "{tether}:staff-sessions:"  # SET per staff id of their session keys
REVOKED_PREFIX = "{tether}:revoked:"  # STRING per staff id: ms before which their tokens are void
REVOKED_CHANNEL = "tether:revoked"  # pub/sub: a staff id whose sessions just ended
SIGNIN_PREFIX = "{tether}:signin:"  # STRING per sign-in attempt (state): nonce, PKCE; TTL 10 min
BREAK_GLASS_PREFIX = "{tether}:break-glass:"  # HASH per staff id: client -> until ms (JSON)
BREAK_GLASS_LOG = "{tether}:break-glass:log"  # STREAM of break-glass openings; MAXLEN ~ 1e4
AUDIT = "{tether}:audit"  # STREAM: PHI reads, sign-ins, actions; kept TETHER_AUDIT_RETENTION_DAYS
WORKERS = "{tether}:workers"  # HASH worker id -> last heartbeat ms (readiness, auditor)
DIRECTORY = "{tether}:directory"  # STRING: the locale directory as JSON (not PHI). Permanent.
INCIDENT_PREFIX = "{tether}:incident:"  # STRING per incident: its document, encrypted. Permanent.
INCIDENTS = "{tether}:incidents"  # ZSET incident id -> opened ms (the program's incident list)
INCIDENT_OPEN = "{tether}:incidents:open"  # HASH "<meeting>/<client>" -> the open incident's id
INCIDENT_ALERTS = "{tether}:incidents:alerts"  # STREAM of overdue follow-ups; MAXLEN ~ 1e5
PLATFORM_USERS = "{tether}:platform-users"  # HASH platform user id (Jitsi JWT) -> subject
STATS_DIALS = "{tether}:stats:dials"  # STREAM: disconnect -> first callback dial, ms; no PHI
CONFIG_DOC_PREFIX = "{tether}:config:doc:"  # HASH per configuration document: v, body, by, at
CONFIG_VERSION = "{tether}:config:version"  # STRING: bumped by every configuration change
CONFIG_CHANNEL = "tether:config"  # pub/sub: the new configuration version (a hint: replicas
# also compare CONFIG_VERSION every second, so a missed notice is caught up)
DIRECTORY_VERSION = "{tether}:directory:version"  # STRING: bumped by every directory save
KEYRING_SWEEP = "{tether}:keyring:sweep"  # HASH: a rotation sweep's cursor and counts (resume)
KEYRING_PRIMARY = "{tether}:keyring:primary"  # STRING: the primary key id every replica must use
KEYRING_REPLICAS = "{tether}:keyring:replicas"  # HASH worker id -> "<primary key id> <ms>"
MEETING_TTL_S = 30 * 24 * 3600  # a meeting's keys expire 29-30 days after its last event
#   (ingest pushes the expiry back at most once a day)
ATTENDANCE_PREFIX = "{tether}:attendance:"  # see attendance_session(), _group(), _client()


def attendance_session(meeting: str) -> str:
    """STRING: one session's attendance record as JSON (ids, times, minutes, outcome
    words; no names or numbers). TTL: the policy's ``records.attendance_retention_days``,
    counted from when it was last recorded (``sidecar/attendance/store.py``)."""
    return ATTENDANCE_PREFIX + "session:" + meeting


def attendance_group(number: str) -> str:
    """ZSET meeting id -> session start ms, per program meeting number (the group); entries
    older than the retention are removed on each write; TTL the retention."""
    return ATTENDANCE_PREFIX + "group:" + number


def attendance_sessions() -> str:
    """ZSET meeting id -> session start ms, every session of every group (the FHIR export
    reads sessions since a time from it); trimmed and expiring like ``attendance_group``."""
    return ATTENDANCE_PREFIX + "sessions"


def attendance_client(client_id: str) -> str:
    """ZSET meeting id -> session start ms, the sessions a client was expected at or came
    to; trimmed and expiring like ``attendance_group``."""
    return ATTENDANCE_PREFIX + "client:" + client_id


def meeting_shard(meeting: str) -> str:
    """The hash tag of a meeting's keys and jobs."""
    return MEETING_SHARDS[zlib.crc32(meeting.encode()) % len(MEETING_SHARDS)]


def meeting_tag(meeting: str) -> str:
    """What every key of the meeting starts with: its shard's tag, then ``:m:<meeting>``."""
    return meeting_shard(meeting) + ":m:" + meeting


def active_meetings(meeting: str) -> str:
    """SET: the meetings with people of the meeting's shard (``live_meetings.py``)."""
    return meeting_shard(meeting) + ACTIVE_SUFFIX


def meeting_job(meeting: str, name: str) -> str:
    """A job key of the meeting: its shard's tag, then ``name`` (``ladder:...``)."""
    return meeting_shard(meeting) + name


def job_shard(key: str) -> str:
    """The tag a job's hash and due index carry: the shard tag its key starts with, or
    ``{tether}`` for any other key (an unknown tag too, so no job waits where no engine
    looks)."""
    if key.startswith("{"):
        tag = key[:key.find("}") + 1]
        if tag in JOB_SHARDS:
            return tag
    return PROGRAM_TAG


def job(key: str) -> str:
    """HASH: the job; ``<tag>:job:<job key>``."""
    return job_shard(key) + JOB_INFIX + key


def due(key: str) -> str:
    """ZSET: the due index the job waits in."""
    return job_shard(key) + DUE_SUFFIX


def job_prefix(shard: str) -> str:
    """What a job hash's name is, before its key, in the shard ``shard`` (a tag)."""
    return shard + JOB_INFIX


PERSON_FIELD = "p:"  # p:<participant id> -> JSON presence record (the roster)
LADDER_FIELD = "l:"  # l:<subject> -> key of its active callback-ladder job
META_FIELD = "m:"  # m:<fact> -> number, started/ended, recording times


def state(meeting: str) -> str:
    """HASH of everything ingest decides on, so one WATCH and one read cover it:
    fields PERSON_FIELD*, LADDER_FIELD*, META_FIELD*. Expires MEETING_TTL_S after the
    meeting's last event."""
    return meeting_tag(meeting) + ":state"


def timeline(meeting: str) -> str:
    """STREAM of everything that happened; also the live feed panels resume from."""
    return meeting_tag(meeting) + ":timeline"


def checkins(meeting: str) -> str:
    """HASH client id -> this session's check-in, encrypted (``c:``), its privacy answers,
    encrypted (``p:``), when (``t:``) and "I moved" (``s:``). Expires with the meeting."""
    return meeting_tag(meeting) + ":checkins"


def checkin_code(client_id: str) -> str:
    """HASH: the client's one live check-in code, hashed (``salt``, ``mac``, ``exp`` ms,
    ``tries``), never the code itself; replaced by the next code; TTL 10 min
    (``sidecar/checkin/code_store.py``)."""
    return CHECKIN_CODE_PREFIX + client_id


def checkin_code_ask(handle: str) -> str:
    """HASH: one request for a code (the handle the form holds): ``meeting``, ``client``
    ("" when the details matched nobody: then it holds its own unusable code), ``exp``;
    TTL 10 min."""
    return CHECKIN_CODE_ASK_PREFIX + handle


def checkin_codes_sent(client_id: str) -> str:
    """ZSET: when each of the client's codes of the last hour was issued (ms, the
    injected clock), for the hourly cap; TTL 1 h after the last."""
    return CHECKIN_CODES_SENT_PREFIX + client_id


def heartbeat(meeting: str, participant: str) -> str:
    """HASH: a Jitsi join page's heartbeats for one participant (``sidecar/jitsi/heartbeats.py``):
    state live/dropped/left, episode number, last beat ms, left ms, client, user id, name,
    page instance and its last sequence number. Expires HEARTBEAT_TTL_S after the last write."""
    return meeting_tag(meeting) + ":hb:" + participant


HEARTBEAT_TTL_S = 24 * 3600


def seen(delivery_id: str) -> str:
    return SEEN_PREFIX + delivery_id


def client(client_id: str) -> str:
    return CLIENT_PREFIX + client_id


def call(sid: str) -> str:
    return CALL_PREFIX + sid


def sms_from(index: str) -> str:
    return SMS_FROM_PREFIX + index


def ladder_owner(job_key: str) -> str:
    return LADDER_OWNER_PREFIX + job_key


# --- caregiver coaching (sidecar/coaching) ---
COACHING_PAGE_PREFIX = "{tether}:coaching:page:"  # HASH per coaching page: v, body (JSON: title,
#   summary, body, retired), by, at. Program content, not PHI. Permanent.
COACHING_PAGES = "{tether}:coaching:pages"  # ZSET page id -> added ms (the library's order)
COACHING_SEEDED = "{tether}:coaching:seeded"  # STRING: the default pages were stored (once)
COACHING_FOR_PREFIX = "{tether}:coaching:for:"  # see coaching_for()


def coaching_page(page_id: str) -> str:
    return COACHING_PAGE_PREFIX + page_id


def coaching_for(client_id: str, contact_id: str) -> str:
    """HASH: the coaching pages attached to one of a client's emergency contacts, by ids
    only: page id -> JSON {at: ms, by: staff id, read: ms or null}. Permanent."""
    return COACHING_FOR_PREFIX + client_id + ":" + contact_id


# --- plan links (sidecar/plan) -----------------------------------------------------------
PLAN_LINK_PREFIX = "{tether}:plan-link:"  # HASH per plan link (by its random id): "doc" the
#   sealed link (client and contact ids, times, state), "opens", "last"; TTL until it expires
#   plus PLAN_LINK_KEEP_S, so staff still see it as expired for a while
PLAN_LINKS_PREFIX = "{tether}:plan-links:"  # ZSET per client id: link id -> created ms; pruned
#   of links whose hash is gone when listed. Permanent while the client has links.
PLAN_LINK_KEEP_S = 30 * 24 * 3600


def plan_link(link: str) -> str:
    return PLAN_LINK_PREFIX + link


def plan_links(client_id: str) -> str:
    return PLAN_LINKS_PREFIX + client_id


def agreements(meeting: str) -> str:
    """HASH agreement id -> a harm-reduction agreement as JSON, sealed whole (record:
    ``sealing.agreements_record``, field: the id; ``sidecar/incidents/agreement_store.py``).
    Expires MEETING_TTL_S after its last change."""
    return meeting_tag(meeting) + ":agreements"
