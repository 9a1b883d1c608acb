"""``tether audit export`` and ``tether audit verify``: the audit record as a hash-chained
file of JSON lines (``sidecar/infra/audit_chain.py``), and the check of such a file."""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from sidecar.infra import audit_chain
from sidecar.infra.audit import Audit, from_source
from sidecar.infra.settings import Settings

_HASH = re.compile(r"^[0-9a-f]{64}$")


def shell_source() -> str:
    """Where a command ran, for the audit record: ``shell:<user>@<host>``."""
    import getpass
    import socket

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "?"
    return f"shell:{user}@{socket.gethostname()}"


def since_ms(text: str) -> int:
    """A date or date-time (ISO 8601; UTC unless it names a zone) in ms since the epoch."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


async def export(audit: Audit, since: int, until: int | None, after: str, out: TextIO
                 ) -> tuple[int, str]:
    """Write the entries recorded in [since, until) as chained lines; (count, last hash)."""
    count, last = 0, after
    async for entry in audit.entries(since, until):
        line = audit_chain.link(entry, last)
        out.write(audit_chain.dumps(line) + "\n")
        count, last = count + 1, line["hash"]
    return count, last


async def _export_from_store(args: argparse.Namespace, since: int, until: int | None,
                             out: TextIO) -> tuple[int, str]:
    from sidecar.infra.clock import SystemClock
    from sidecar.services import open_store

    async with open_store(Settings()) as (redis, _):
        audit = Audit(redis, SystemClock())
        count, last = await export(audit, since, until, args.after_hash, out)
        with from_source(shell_source()):  # reading the record is on the record too
            await audit.record("cli:audit-export", "audit.exported",
                               f"{args.since or 'start'}..{args.until or 'now'}: {count} entries")
    return count, last


def cmd_audit_export(args: argparse.Namespace) -> int:
    try:
        since = since_ms(args.since) if args.since else 0
        until = since_ms(args.until) if args.until else None
    except ValueError:
        print("--since and --until take a date such as 2026-12-01", file=sys.stderr)
        return 2
    if not _HASH.match(args.after_hash):
        print("--after-hash must be 64 lowercase hex digits (the last hash of the export "
              "this one continues)", file=sys.stderr)
        return 2
    if args.out is None:
        count, last = asyncio.run(_export_from_store(args, since, until, sys.stdout))
    else:
        with args.out.open("w", encoding="utf-8") as fh:
            count, last = asyncio.run(_export_from_store(args, since, until, fh))
    print(f"exported {count} entries, last hash {last}", file=sys.stderr)
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    try:
        with args.file.open(encoding="utf-8") as fh:
            verdict = audit_chain.verify(fh, args.after_hash)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    if not verdict.ok:
        print(f"{args.file}: line {verdict.bad_line} does not match: {verdict.problem} "
              f"({verdict.count} entries before it matched)", file=sys.stderr)
        return 1
    print(f"ok: {verdict.count} entries, last hash {verdict.last}")
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    a = sub.add_parser("audit", help="the audit record: export it, verify an export")
    asub = a.add_subparsers(dest="audit_command", required=True)
    ex = asub.add_parser("export", help="write the audit record as hash-chained JSON lines")
    ex.add_argument("--since", default="", help="a date (UTC), e.g. 2026-12-01 (default: all)")
    ex.add_argument("--until", default="",
                    help="a date (UTC): only entries before it (default: up to now)")
    ex.add_argument("--out", type=Path, default=None, help="a file (default: standard out)")
    ex.add_argument("--after-hash", default=audit_chain.GENESIS,
                    help="the last hash of the export this one continues (default: 64 zeros)")
    ex.set_defaults(fn=cmd_audit_export)
    ve = asub.add_parser("verify", help="recompute an export's hash chain")
    ve.add_argument("file", type=Path)
    ve.add_argument("--after-hash", default=audit_chain.GENESIS,
                    help="the hash the export continued from (default: 64 zeros)")
    ve.set_defaults(fn=cmd_audit_verify)
