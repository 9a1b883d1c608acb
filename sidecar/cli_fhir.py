"""``tether fhir export --since DATE --out FILE.ndjson``: every incident opened since the
date, then an Encounter per client present in each ended session that started since the
date, as FHIR R4 resources, one per line (NDJSON, as FHIR Bulk Data writes them), for the
program's EHR. Each incident and session read is on the audit record, with the shell as its
source."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from sidecar.attendance.store import AttendanceStore
from sidecar.fhir import ndjson
from sidecar.fhir.bundle import incident_resources
from sidecar.fhir.refs import Program
from sidecar.fhir.routes import AUDITED_AS, SESSION_AUDITED_AS
from sidecar.fhir.sessions import attended_since, session_encounters
from sidecar.fhir.since import BadSince, since_ms
from sidecar.incidents.store import IncidentStore
from sidecar.infra.audit import Audit, from_source
from sidecar.infra.clock import SystemClock
from sidecar.infra.config import ConfigError, ProgramConfig, load_config
from sidecar.infra.config_store import ConfigStore
from sidecar.infra.crypto import FieldCipher
from sidecar.infra.settings import Settings

ACTOR = "cli:fhir-export"


async def export(incidents: IncidentStore, audit: Audit, program: Program, since: int,
                 out: TextIO) -> tuple[int, int]:
    """Write the resources of the incidents opened at or after ``since``; (incidents,
    resources). Each incident read is audited."""
    count = lines = 0
    for incident_id in await incidents.ids(since, limit=1_000_000):
        incident = await incidents.get(incident_id)
        await audit.record(ACTOR, AUDITED_AS, incident.id)
        lines += ndjson.write(incident_resources(program, incident), out)
        count += 1
    return count, lines


async def export_sessions(attendance: AttendanceStore, audit: Audit, program: Program,
                          config: ProgramConfig, since: int, out: TextIO) -> tuple[int, int]:
    """Write the Encounters of the ended sessions that started at or after ``since``;
    (sessions, resources). Each session read is audited."""
    count = lines = 0
    numbers = [m.numbers[0] for m in config.meetings]
    for record in await attended_since(attendance, since, numbers):
        await audit.record(ACTOR, SESSION_AUDITED_AS, record.meeting)
        lines += ndjson.write(session_encounters(program, record), out)
        count += 1
    return count, lines


async def _config(config_store: ConfigStore, fallback: Path) -> ProgramConfig:
    """The program's configuration as the store has it, else the file's."""
    stored = await config_store.load()
    return stored[0] if stored else load_config(fallback)


async def _export_from_store(args: argparse.Namespace, since: int, out: TextIO
                             ) -> tuple[int, int, int]:
    """(incidents, sessions, resources) written."""
    from sidecar.cli_audit import shell_source
    from sidecar.services import data_key, open_store

    settings = Settings()
    async with open_store(settings) as (redis, embedded):
        audit = Audit(redis, SystemClock())
        store = IncidentStore(redis, FieldCipher(data_key(settings, embedded)))
        config = await _config(ConfigStore(redis, SystemClock(), audit), args.config)
        program = Program.named(config.program.name)
        with from_source(shell_source()):  # the export is on the record, as who ran it
            count, lines = await export(store, audit, program, since, out)
            sessions, more = await export_sessions(AttendanceStore(redis), audit, program,
                                                   config, since, out)
            return count, sessions, lines + more


def cmd_fhir_export(args: argparse.Namespace) -> int:
    try:
        since = since_ms(args.since)
    except BadSince as exc:
        print(f"--since: {exc}", file=sys.stderr)
        return 2
    try:
        with args.out.open("w", encoding="utf-8") as fh:
            count, sessions, lines = asyncio.run(_export_from_store(args, since, fh))
    except ConfigError as exc:
        print(f"{args.config}: " + "; ".join(exc.problems), file=sys.stderr)
        return 2
    print(f"exported {count} incidents and {sessions} attended sessions as {lines} FHIR "
          f"resources to {args.out}", file=sys.stderr)
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    f = sub.add_parser("fhir", help="FHIR R4 export of incidents and attended sessions for "
                                    "the program's EHR")
    fsub = f.add_subparsers(dest="fhir_command", required=True)
    ex = fsub.add_parser("export", help="write incidents and attended sessions as NDJSON, "
                                        "one FHIR resource a line")
    ex.add_argument("--since", required=True,
                    help="a date (UTC) or date and time: incidents opened and sessions "
                         "started then or later")
    ex.add_argument("--out", type=Path, required=True, help="the NDJSON file to write")
    ex.add_argument("--config", type=Path, default=Path("examples/program.yaml"),
                    help="the program file, if the store holds no configuration yet")
    ex.set_defaults(fn=cmd_fhir_export)
