"""kill -9 harness: load a real deployment, kill one of its processes at a random moment, restart
it, and count what was acknowledged, lost and stuck, and how long recovery took.

    .venv/bin/python scripts/kill9_harness.py --rounds 5

Deployment: PostgreSQL (a fresh schema, dropped at the end), 2 uvicorn workers, a Celery
worker on Redis (CLEARLANE_TASK_QUEUE=celery), and the stand-in screener of the fault tests
(`tests.fault_screeners:slow`, 0.5 s a photo) so the harness measures the job machinery and
not the vision model. Each round: 4 clients create, submit and photograph declarations for
8 s; between 2 and 6 s in, the round's victim (API, whole worker, or one pool process) gets
SIGKILL and is restarted 1 s later. Then it waits up to 180 s for every acknowledged upload
to be decided.
"""

import argparse
import os
import random
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlmodel import Session, col, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models import Declaration, DeclarationStatus  # noqa: E402
from tests.api.conftest import container_number  # noqa: E402
from tests.api.images import jpeg_bytes  # noqa: E402
from tests.processes import (  # noqa: E402
    ApiClient,
    child_pids,
    deployment,
    free_port,
    kill_hard,
)

POSTGRES = os.environ.get("CLEARLANE_TEST_POSTGRES_URL",
                          "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("CLEARLANE_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
VICTIMS = ("api", "worker", "pool child")


@dataclass
class Round:
    victim: str
    fired: int = 0
    acknowledged: list[int] = field(default_factory=list)  # declarations with a 202 upload
    created: list[int] = field(default_factory=list)       # every 201
    errors: int = 0
    throttled: int = 0  # 429: the screening queue was full
    killed_at: float = 0.0
    restarted_at: float = 0.0


def _load(client: ApiClient, serials: Iterator[int], until: float, result: Round,
          lock: threading.Lock) -> None:
    while time.monotonic() < until:
        serial = next(serials)
        try:
            with lock:
                result.fired += 1
            declaration = client.declare(container_number(serial, owner="HRNU"))
            with lock:
                result.created.append(declaration["id"])
            response = client.upload(declaration["id"], jpeg_bytes(seed=serial), timeout_s=10)
            with lock:
                if response.status_code == 202:
                    result.acknowledged.append(declaration["id"])
                elif response.status_code == 429:
                    result.throttled += 1
        except (httpx.HTTPError, KeyError, ValueError):
            with lock:
                result.errors += 1
            time.sleep(0.1)




def run_round(number: int, victim: str, running: "object", base_url: str, port: int,
              rng: random.Random) -> dict[str, object]:
    result = Round(victim)
    lock = threading.Lock()
    serials = iter(range(number * 100_000, (number + 1) * 100_000))
    start = time.monotonic()
    until = start + 8
    client = ApiClient(base_url, running.token("exporter"))  # type: ignore[attr-defined]
    threads = [threading.Thread(target=_load, args=(client, serials, until, result, lock))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(rng.uniform(2, 6))
    result.killed_at = time.monotonic()
    api, worker = running.api, running.worker  # type: ignore[attr-defined]
    if victim == "api":
        kill_hard(api)
    elif victim == "worker":
        kill_hard(worker)
    else:
        for pid in child_pids(worker.pid)[:1]:
            os.kill(pid, signal.SIGKILL)
    time.sleep(1)
    if victim == "api":
        running.api = running.start_api(port, workers=2)  # type: ignore[attr-defined]
    elif victim == "worker":
        running.worker = running.start_worker()  # type: ignore[attr-defined]
    result.restarted_at = time.monotonic()
    for thread in threads:
        thread.join()
    recovered = _wait_until_decided(running.engine, result.acknowledged, 180)  # type: ignore[attr-defined]
    with Session(running.engine) as session:  # type: ignore[attr-defined]
        stored = set(session.exec(select(Declaration.id)))
        stuck = len(session.exec(select(Declaration.id).where(
            col(Declaration.id).in_(result.acknowledged or [0]),
            Declaration.status == DeclarationStatus.screening)).all())
    lost = len(set(result.created) - stored)
    return {"round": number + 1, "victim": victim, "fired": result.fired,
            "created (201)": len(result.created), "uploads acknowledged (202)":
            len(result.acknowledged), "uploads throttled (429)": result.throttled,
            "errors (refused/reset)": result.errors,
            "lost": lost, "stuck": stuck,
            "recovery s": (f"{recovered - result.restarted_at:.1f}"
                           if recovered is not None else "> 180")}


def _wait_until_decided(engine: object, ids: list[int], timeout_s: float) -> float | None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with Session(engine) as session:  # type: ignore[call-overload]
            waiting = session.exec(select(Declaration.id).where(
                col(Declaration.id).in_(ids or [0]),
                Declaration.status == DeclarationStatus.screening)).all()
        if not waiting:
            return time.monotonic()
        time.sleep(0.25)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    schema = f"clearlane_kill9_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    data = Path(f"/tmp/{schema}")
    rows = []
    try:
        with deployment(f"{POSTGRES}?options=-csearch_path%3D{schema}", data,
                        task_queue="celery", redis_url=REDIS, screening_engine="custom",
                        custom_screener="tests.fault_screeners:slow") as running:
            running.env["FAULT_SCREEN_SECONDS"] = "0.5"
            port = free_port()
            running.api = running.start_api(port, workers=2)  # type: ignore[attr-defined]
            running.worker = running.start_worker(concurrency=2)  # type: ignore[attr-defined]
            for number in range(args.rounds):
                rows.append(run_round(number, VICTIMS[number % len(VICTIMS)], running,
                                      f"http://127.0.0.1:{port}", port, rng))
                print(rows[-1], flush=True)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    headers = list(rows[0])
    print("\n| " + " | ".join(headers) + " |")
    print("|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(str(row[h]) for h in headers) + " |")


if __name__ == "__main__":
    main()
