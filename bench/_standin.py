"""The Twilio stand-in as a child process of a benchmark (Twilio is not on the sidecar's CPU).

    python bench/_standin.py --port 8099 [--step-delay 1.0] [--latency 0.05 0.15]

Besides the stand-in's own routes, ``GET /_bench/first`` lists each number's first call
(when the request to place it arrived) and how many calls there were in all. With
``--latency LO HI`` every answer to the sidecar's REST requests is held a random LO..HI
seconds after the call exists, as a real provider's round trip would hold it; the time a
call is recorded under is still the arrival of the request. This is a wrapper (an aiohttp
middleware) around the stand-in: the stand-in itself is unchanged.
"""

from __future__ import annotations

import argparse
import asyncio
import random
from collections.abc import Awaitable, Callable

import httpx
from _common import SID, TOKEN, start_app, until_sigterm
from aiohttp import web

from sidecar.infra.telephony.standin import TwilioStandIn

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
REST_PREFIX = "/2010-04-01/"


def provider_latency(low_s: float, high_s: float) -> Callable[..., Awaitable[web.StreamResponse]]:
    """Hold each REST answer a uniformly random ``low_s``..``high_s`` after it is ready."""

    @web.middleware
    async def hold(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path.startswith(REST_PREFIX) and high_s > 0:
            await asyncio.sleep(random.uniform(low_s, high_s))
        return response

    return hold


async def serve(port: int, step_delay_s: float, latency: tuple[float, float]) -> None:
    standin = TwilioStandIn(SID, TOKEN, step_delay_s=step_delay_s)
    # Twilio posts status callbacks from many hosts at once: no 100-connection pool queue
    # (httpcore's queue scan is quadratic, and would make the stand-in the bottleneck).
    standin._http = httpx.AsyncClient(timeout=5, limits=httpx.Limits(
        max_connections=None, max_keepalive_connections=2000))
    app = standin.app()
    if latency[1] > 0:
        app.middlewares.append(provider_latency(*latency))

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
                   help="hold each REST answer a random LO..HI seconds")
    args = p.parse_args()
    asyncio.run(serve(args.port, args.step_delay, (args.latency[0], args.latency[1])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
