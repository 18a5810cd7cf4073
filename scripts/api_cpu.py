"""CPU milliseconds per request of the API's hot paths, in process: robust to a loaded machine.

    .venv/bin/python scripts/api_cpu.py [--backend postgresql|sqlite] [--requests 2000]
                                        [--profile ENDPOINT] [--extra 20000]

It prepares a database like `scripts/bench_api.py` (migrations, demo data, `--extra`
declarations), builds the app with `create_app`, and calls it as an ASGI application (no
sockets, no HTTP parsing) with `--concurrency` requests in flight, for `GET /clearance`,
`POST /declarations` and `GET /declarations?limit=50`. It prints the process CPU time (every
thread: the event loop and the thread pool) per request: the application's own cost, without
uvicorn's HTTP handling and without the database server's. `--profile` runs that endpoint under
cProfile with the thread-pool hops done inline, so sync endpoints show up too.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_api  # noqa: E402  (the same data preparation as the load bench)

Call = Callable[[], Awaitable[int]]


def asgi_caller(app: Any, method: str, path: str, token: str, body: bytes = b"") -> Call:
    target, _, query = path.partition("?")
    headers = [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode()),
               (b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]

    async def call() -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": method, "scheme": "http", "path": target, "raw_path": target.encode(),
                 "query_string": query.encode(), "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}
        sent = False
        status = 0

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await app(scope, receive, send)
        return status

    return call


async def drive(calls: Callable[[int], Call], requests: int, concurrency: int,
                expect: int) -> float:
    """Runs `requests` calls, `concurrency` at a time; returns the process CPU seconds used."""
    issued = 0
    bad: list[int] = []

    async def worker() -> None:
        nonlocal issued
        while issued < requests:
            issued += 1
            status = await calls(issued)()
            if status != expect:
                bad.append(status)

    cpu0 = time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    used = time.process_time() - cpu0
    if bad:
        raise RuntimeError(f"{len(bad)} answers were not {expect}: {sorted(set(bad))}")
    return used


def inline_thread_hops() -> None:
    """For profiling only: run what would go to the thread pool in the calling thread."""
    import anyio.to_thread

    async def run_sync(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]


async def measure(args: argparse.Namespace, app: Any, containers: list[str],
                  fresh: list[str]) -> None:
    from customs.demo import DEMO_PASSWORD

    async def token(username: str) -> str:
        from httpx import ASGITransport, AsyncClient

        async with AsyncClient(transport=ASGITransport(app), base_url="http://bench") as c:
            response = await c.post("/auth/token",
                                    data={"username": username, "password": DEMO_PASSWORD})
            response.raise_for_status()
            return str(response.json()["access_token"])

    port, exporter = await token("port"), await token("exporter")
    posted = iter(range(len(fresh)))
    endpoints: dict[str, tuple[Callable[[int], Call], int]] = {
        "GET /clearance": (lambda n: asgi_caller(
            app, "GET", f"/clearance?container_no={random.choice(containers)}", port), 200),
        "POST /declarations": (lambda n: asgi_caller(
            app, "POST", "/declarations", exporter,
            json.dumps(bench_api.declaration_body(fresh[next(posted)], n)).encode()), 201),
        "GET /declarations (page of 50)": (lambda n: asgi_caller(
            app, "GET", f"/declarations?limit=50&offset={50 * (n % 20)}", exporter), 200),
    }
    print("| endpoint | requests | CPU ms/request (process, all threads) | wall req/s |")
    print("|---|---|---|---|")
    for name, (calls, expect) in endpoints.items():
        if args.only and args.only not in name:
            continue
        await drive(calls, min(200, args.requests), args.concurrency, expect)  # warm-up
        if args.profile and args.profile in name:
            profile = cProfile.Profile(time.thread_time)  # CPU, not waits
            profile.enable()
            await drive(calls, args.requests, args.concurrency, expect)
            profile.disable()
            stats = pstats.Stats(profile)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            continue
        wall0 = time.perf_counter()
        cpu = await drive(calls, args.requests, args.concurrency, expect)
        wall = time.perf_counter() - wall0
        print(f"| {name} | {args.requests} | {1000 * cpu / args.requests:.3f} | "
              f"{args.requests / wall:,.0f} |")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    p.add_argument("--pg-url", default=bench_api.DEFAULT_PG)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--extra", type=int, default=20_000)
    p.add_argument("--only", default="", help="only endpoints whose name contains this")
    p.add_argument("--profile", default="", help="profile the endpoint whose name has this")
    p.add_argument("--top", type=int, default=40)
    args = p.parse_args()
    if args.profile:
        inline_thread_hops()
    rng = random.Random(6346)
    with tempfile.TemporaryDirectory(prefix="clearlane-cpu-") as tmp, \
            bench_api.prepared_backend(args.backend, args.pg_url, Path(tmp)) as backend:
        env = bench_api.server_env(backend, secrets.token_urlsafe(48))
        containers = bench_api.migrate_and_load(backend, env, args.extra, rng)
        fresh = bench_api.make_containers(args.requests + 400, rng, set(containers))
        from customs.settings import Settings
        from routes.app import create_app

        settings = Settings(environment="production", data_dir=backend.data_dir,
                            database_url=backend.url, secret_key=env["CLEARLANE_SECRET_KEY"],
                            screening_engine="none")
        app = create_app(settings)

        async def run() -> None:
            async with app.router.lifespan_context(app):
                await measure(args, app, containers, fresh)

        try:
            import uvloop

            uvloop.run(run())
        except ImportError:
            asyncio.run(run())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
