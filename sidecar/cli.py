"""``tether``: serve, check-config, config import/export, import-clients, import-directory,
token, revoke, audit export/verify, demo."""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from aiohttp import web
from pydantic import ValidationError

from sidecar.app import create_app
from sidecar.cli_audit import add_parsers as add_audit_parsers
from sidecar.cli_audit import shell_source
from sidecar.cli_fhir import add_parsers as add_fhir_parsers
from sidecar.cli_keys import add_parsers as add_keys_parsers
from sidecar.infra.audit import from_source
from sidecar.infra.config import ConfigError, ProgramConfig, load_config
from sidecar.infra.logs import configure
from sidecar.infra.problems import StartupProblem
from sidecar.infra.redis_wait import wait_for_redis
from sidecar.infra.settings import Settings
from sidecar.records.clients import IdentityConflict
from sidecar.records.directory import Directory, load_directory
from sidecar.records.model import ClientFile
from sidecar.startup import (
    bind,
    check_readable,
    load_settings,
    settings_invalid,
)

logger = logging.getLogger(__name__)
DEFAULT_CONFIG = Path("examples/program.yaml")
# ``tether serve`` is gone this long after SIGTERM, even with panels' streams open. Within
# it: requests in flight get HANDLER_GRACE_S (twice, in the worst case: aiohttp waits,
# then cancels and waits again), background tasks app.TASKS_GRACE_S, the embedded redis
# store.STOP_WAIT_S; what overruns is cut short by the deadline.
SHUTDOWN_BOUND_S = 15.0
HANDLER_GRACE_S = 2.0
EXIT_OVERDUE = 70  # EX_SOFTWARE: stopped by the deadline, not cleanly


T = TypeVar("T")


def _or_exit(load: Callable[[Path], T], path: Path) -> T:
    """Load a file or exit 2, naming every problem on stderr."""
    try:
        return load(path)
    except ConfigError as exc:
        print(f"{path}: {len(exc.problems)} problem(s)", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        raise SystemExit(2) from exc


def _config_or_exit(path: Path) -> ProgramConfig:
    return _or_exit(load_config, path)


def _directory_or_exit(path: Path) -> Directory:
    return _or_exit(load_directory, path)


def _store_directory_at_startup(app: web.Application, directory: Directory) -> None:
    """``serve --directory FILE``: replace the stored directory once the services are up
    (startup hooks run after the cleanup context that opens them)."""
    from sidecar.services import TETHER

    async def store(app: web.Application) -> None:
        await app[TETHER].directory.put(directory, actor="cli:serve --directory")

    app.on_startup.append(store)


def cmd_serve(args: argparse.Namespace) -> int:
    check_readable(args.config, "The program file")
    config = _config_or_exit(args.config)
    if args.directory:
        check_readable(args.directory, "The directory file")
    directory = _directory_or_exit(args.directory) if args.directory else None
    settings = _settings_fit_to_serve()
    sock = bind(args.host, args.port)
    if settings.tether_redis_url:  # a server starting beside us (compose) is waited for
        asyncio.run(wait_for_redis(settings.tether_redis_url, settings.tether_redis_wait_s))
    app = create_app(settings, config, run_workers=args.workers,
                     config_source=str(args.config))
    if directory is not None:
        _store_directory_at_startup(app, directory)
    app.on_shutdown.append(_exit_by_deadline)
    web.run_app(app, sock=sock, access_log=None, shutdown_timeout=HANDLER_GRACE_S)
    return 0


def _settings_fit_to_serve() -> Settings:
    """The settings, or the first reason they cannot serve, as a StartupProblem."""
    from sidecar.services import data_key

    settings = load_settings()
    problem = settings.public_url_problem() if settings.telephony_configured() else None
    problem = problem or settings.oidc_problem()
    if problem:  # callbacks never confirmed, or nobody able to sign in: refuse to start
        raise StartupProblem(problem)
    if (settings.tether_redis_url or settings.tether_data_key.get_secret_value()
            or settings.tether_keyring_file):  # the keys' problems, said before any wait
        data_key(settings, embedded=not settings.tether_redis_url)
    return settings


async def _exit_by_deadline(app: web.Application) -> None:
    """Shutdown has begun (SIGTERM, SIGINT): the process is gone within SHUTDOWN_BOUND_S
    whatever is stuck. Past it, every thread's stack goes to stderr and the process exits
    at once; its embedded redis-server dies with it (``sidecar.infra.store``)."""
    timer = threading.Timer(SHUTDOWN_BOUND_S, _overdue)
    timer.daemon = True
    timer.start()


def _overdue() -> None:
    logger.error("tether did not stop within %s s of being asked to; exiting now (stacks "
                 "follow)", SHUTDOWN_BOUND_S)
    faulthandler.dump_traceback(all_threads=True)
    os._exit(EXIT_OVERDUE)


def cmd_check_config(args: argparse.Namespace) -> int:
    config = _config_or_exit(args.file)
    print(f"{args.file}: ok ({config.program.name}: {len(config.staff)} staff, "
          f"{len(config.meetings)} meetings)")
    return 0


def cmd_import_clients(args: argparse.Namespace) -> int:
    import yaml

    from sidecar.services import Tether

    config = _config_or_exit(args.config)
    try:
        parsed = ClientFile.model_validate(yaml.safe_load(args.file.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        print(f"{args.file}: {exc.error_count()} problem(s)", file=sys.stderr)
        for e in exc.errors():
            print(f"  {'.'.join(map(str, e['loc']))}: {e['msg']}", file=sys.stderr)
        return 2

    async def run(t: Tether) -> None:
        await t.clients.put_many(parsed.clients, actor="cli:import-clients",
                                 prefix="clients.{i}.")

    try:
        asyncio.run(_with_services(config, run))
    except IdentityConflict as exc:
        print(f"{args.file}: nothing imported, {len(exc.problems)} identity problem(s)",
              file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    print(f"imported {len(parsed.clients)} client records (encrypted at rest)")
    return 0


def cmd_import_directory(args: argparse.Namespace) -> int:
    from sidecar.services import Tether

    config = _config_or_exit(args.config)
    directory = _directory_or_exit(args.file)

    async def run(t: Tether) -> None:
        await t.directory.put(directory, actor="cli:import-directory")

    asyncio.run(_with_services(config, run))
    print(f"imported the locale directory: {len(directory.countries)} countries, "
          f"{len(directory.regions)} regional entries")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from sidecar.services import Tether

    config = _config_or_exit(args.config)
    out: list[str] = []

    async def run(t: Tether) -> None:
        out.append(t.tokens.issue(args.staff, t.clock.now(), ttl_s=int(args.hours * 3600)))
        await t.audit.minted("cli:token", "staff", args.staff, "automation")

    try:
        asyncio.run(_with_services(config, run))
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(out[0])
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from sidecar.services import Tether

    config = _config_or_exit(args.config)
    if config.staff_by_id(args.staff) is None:
        print(f"no staff member {args.staff!r} in the configuration", file=sys.stderr)
        return 2
    ended: list[int] = []

    async def run(t: Tether) -> None:
        ended.append(await t.revocations.revoke(args.staff, int(t.clock.now() * 1000)))
        await t.audit.record("cli:revoke", "session.revoked", args.staff)

    asyncio.run(_with_services(config, run))
    print(f"{args.staff}: {ended[0]} session(s) ended on every replica; every token minted "
          "for them until now no longer works")
    return 0


async def _with_services(config: ProgramConfig, fn: object) -> None:
    import httpx

    from sidecar.infra.clock import SystemClock
    from sidecar.services import build, data_key, open_store

    settings = load_settings()
    if settings.tether_redis_url:
        await wait_for_redis(settings.tether_redis_url, 0)  # unreachable: one sentence
    async with open_store(settings) as (redis, embedded), httpx.AsyncClient() as http:
        key = data_key(settings, embedded)
        with _serve_notes_muted():
            t = build(settings, config, SystemClock(), redis, key, http)
        try:
            with from_source(shell_source()):  # what a command records names who ran it
                await t.load_config("the program file")  # what admins saved wins over it
                await fn(t)  # type: ignore[operator]
        finally:
            await t.dialer.aclose()



@contextmanager
def _serve_notes_muted() -> Iterator[None]:
    """What a server would lack (TWILIO_* unset, no Zoom or Jitsi app) is said by
    ``tether serve`` alone, as it builds the same parts: a one-shot command prints only its
    own result."""
    noisy = [logging.getLogger(name) for name in ("sidecar.services", "sidecar.registry")]
    levels = [each.level for each in noisy]
    for each in noisy:
        each.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for each, level in zip(noisy, levels, strict=True):
            each.setLevel(level)


def cmd_config_export(args: argparse.Namespace) -> int:
    """The configuration the store holds, as a program file (YAML)."""
    import yaml

    from sidecar.services import Tether

    config = _config_or_exit(args.config)
    out: list[str] = []

    async def run(t: Tether) -> None:
        out.append(yaml.safe_dump(t.config.model_dump(mode="json", exclude_defaults=True),
                                  sort_keys=False, allow_unicode=True))

    asyncio.run(_with_services(config, run))
    if args.out is None:
        sys.stdout.write(out[0])
    else:
        args.out.write_text(out[0], encoding="utf-8")
        print(f"wrote the stored configuration to {args.out}", file=sys.stderr)
    return 0


def cmd_config_import(args: argparse.Namespace) -> int:
    """Replace the stored configuration with a program file; every replica runs on it
    within a second. A document that is the same keeps its version."""
    from sidecar.services import Tether

    incoming = _config_or_exit(args.file)
    changed: list[bool] = []

    async def run(t: Tether) -> None:
        changed.append(await t.config_store.replace(incoming, actor="cli:config-import"))

    asyncio.run(_with_services(incoming, run))
    print(f"{args.file}: " + ("imported; every replica runs on it within a second"
                              if changed[0] else "the store already holds exactly this"))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sidecar.demo import run_demo

    return asyncio.run(run_demo(speed=args.speed))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tether", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the sidecar")
    s.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8080)
    s.add_argument("--no-workers", dest="workers", action="store_false",
                   help="HTTP only (webhook edge, APIs): leave jobs and inbox to other replicas")
    s.add_argument("--directory", type=Path, default=None,
                   help="replace the stored locale directory with this file at start-up")
    s.set_defaults(fn=cmd_serve)
    c = sub.add_parser("check-config", help="validate a program configuration file")
    c.add_argument("file", type=Path)
    c.set_defaults(fn=cmd_check_config)
    i = sub.add_parser("import-clients", help="import client records (YAML)")
    i.add_argument("file", type=Path)
    i.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    i.set_defaults(fn=cmd_import_clients)
    r = sub.add_parser("import-directory",
                       help="replace the locale directory (YAML or JSON): PSAPs, crisis lines")
    r.add_argument("file", type=Path)
    r.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    r.set_defaults(fn=cmd_import_directory)
    t = sub.add_parser("token", help="mint a panel/API token for a staff member")
    t.add_argument("staff")
    t.add_argument("--hours", type=float, default=1.0,
                   help="how long it lasts (default 1, at most 12)")
    t.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    t.set_defaults(fn=cmd_token)
    rv = sub.add_parser("revoke", help="end every session of a staff member now, everywhere")
    rv.add_argument("staff")
    rv.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    rv.set_defaults(fn=cmd_revoke)
    cf = sub.add_parser("config", help="the program's configuration in the store")
    cfs = cf.add_subparsers(dest="config_command", required=True)
    ce = cfs.add_parser("export", help="write the stored configuration as a program file")
    ce.add_argument("--out", type=Path, default=None, help="a file (default: standard out)")
    ce.add_argument("--config", type=Path, default=DEFAULT_CONFIG,
                    help="seeds the store if it has no configuration yet")
    ce.set_defaults(fn=cmd_config_export)
    ci = cfs.add_parser("import", help="replace the stored configuration with a program file")
    ci.add_argument("file", type=Path)
    ci.set_defaults(fn=cmd_config_import)
    add_audit_parsers(sub)
    add_keys_parsers(sub)
    add_fhir_parsers(sub)
    d = sub.add_parser("demo", help="play a crisis scenario through the real endpoints")
    d.add_argument("--speed", type=float, default=20.0, help="clock speed-up factor")
    d.set_defaults(fn=cmd_demo)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run a command; a start-up problem is one line on stderr and exit 2, no traceback."""
    args = parser().parse_args(argv)
    serving = args.command == "serve"  # one-shot commands say only warnings besides
    configure(logging.INFO if serving else logging.WARNING, structured=serving)
    try:
        return int(args.fn(args))
    except StartupProblem as exc:
        return _said(str(exc))
    except ValidationError as exc:  # Settings() read where a command opens the store
        if exc.title != Settings.__name__:
            raise
        return _said(str(settings_invalid(exc)))


def _said(problem: str) -> int:
    for line in problem.splitlines():
        print(f"tether: {line}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
