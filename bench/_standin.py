"""The Twilio stand-in as a child process of a benchmark (Twilio is not on the sidecar's CPU).

    python bench/_standin.py --port 8099 [--step-delay 1.0] [--latency 0.05 0.15]

Besides the stand-in's own routes, ``GET /_bench/first`` lists each number's first call
and how many calls there were in all. With ``--latency LO HI`` each request to place a call
waits a random LO..HI seconds before the call exists, as a real provider's round trip
would (the stand-in's own ``latency_s``): a call's time is when the provider took it.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable

from _common import SID, TOKEN, start_app, until_sigterm
from aiohttp import web

from sidecar.infra.telephony.standin import TwilioStandIn

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REST_PREFIX = "/2010-04-01/"




async def serve(port: int, step_delay_s: float, latency: tuple[float, float]) -> None:
    standin = TwilioStandIn(SID, TOKEN, step_delay_s=step_delay_s)
    standin.latency_s = latency
    app = standin.app()

    async def first(request: web.Request) -> web.Response:
        found: dict[str, float] = {}
        for call in standin.calls:
            found.setdefault(call.to, call.created.timestamp())
        return web.json_response({"first": found, "calls": len(standin.calls)})

    app.router.add_get("/_bench/first", first)
    runner = await start_app(app, port)
    await until_sigterm()
    await runner.cleanup()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--step-delay", type=float, default=1.0, help="seconds per call status")
    p.add_argument("--latency", type=float, nargs=2, default=(0.0, 0.0), metavar=("LO", "HI"),
                   help="each request to place a call waits a random LO..HI seconds")
    args = p.parse_args()
    asyncio.run(serve(args.port, args.step_delay, (args.latency[0], args.latency[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
