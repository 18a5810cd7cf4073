"""Real processes for fault tests: the API under uvicorn, the Celery worker started by its
documented command, and a TCP proxy in front of Redis that can refuse or black-hole.

Everything binds to 127.0.0.1 on a free port, and every process is killed when its test ends.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, SQLModel, select

from customs.db import make_engine
from customs.security import create_access_token, hash_password
from models import Enterprise, Role, User

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "fault-test-secret-key-0123456789abcdef0123"
PASSWORD = "fault-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Deployment:
    """One ClearLane deployment: a database, a data dir, settings as environment variables."""

    def __init__(self, database_url: str, data_dir: Path, **settings: Any) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "CLEARLANE_ENVIRONMENT": "test", "CLEARLANE_SECRET_KEY": SECRET,
            "CLEARLANE_DATABASE_URL": database_url, "CLEARLANE_DATA_DIR": str(data_dir),
            "CLEARLANE_SCREENING_ENGINE": "none", "CLEARLANE_JOB_POLL_S": "0.2",
            "CLEARLANE_CELERY_QUEUE": f"clearlane-test-{uuid.uuid4().hex[:10]}",
            "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT),
        }
        self.env.update({f"CLEARLANE_{k.upper()}": str(v) for k, v in settings.items()})
        self.processes: list[subprocess.Popen[bytes]] = []
        engine = make_engine(database_url)
        SQLModel.metadata.create_all(engine)
        with Session(engine) as session:
            enterprise = Enterprise(name="Fault Test Co", customs_code="3502960FLT",
                                    credit_level="general", latitude=24.5, longitude=118.0)
            session.add(enterprise)
            session.flush()
            hashed = hash_password(PASSWORD)
            for name, role, enterprise_id in (("exporter", Role.exporter, enterprise.id),
                                              ("exporter2", Role.exporter, enterprise.id),
                                              ("officer", Role.officer, None)):
                session.add(User(username=name, hashed_password=hashed, role=role,
                                 enterprise_id=enterprise_id))
            session.commit()
            self.user_ids = {u.username: u.id for u in session.exec(select(User))}
        self.engine = engine

    def token(self, username: str) -> dict[str, str]:
        token = create_access_token(self.user_ids[username], SECRET, 60)
        return {"Authorization": f"Bearer {token}"}

    def _start(self, command: list[str], log_name: str, **env: str) -> subprocess.Popen[bytes]:
        log = open(self.data_dir / log_name, "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(command, cwd=ROOT, env={**self.env, **env}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        return process

    def start_api(self, port: int, workers: int = 1, **env: str) -> subprocess.Popen[bytes]:
        process = self._start([str(BIN / "uvicorn"), "routes.app:app", "--host", "127.0.0.1",
                               "--port", str(port), "--workers", str(workers)],
                              f"api-{port}.log", **env)
        wait_until_healthy(f"http://127.0.0.1:{port}", process)
        return process

    def start_worker(self, concurrency: int = 1, **env: str) -> subprocess.Popen[bytes]:
        """The README's command, exactly: `celery -A customs.worker worker`."""
        return self._start([str(BIN / "celery"), "-A", "customs.worker", "worker",
                            "--loglevel=INFO", f"--concurrency={concurrency}",
                            "--hostname", f"fault-{uuid.uuid4().hex[:6]}@%h"],
                           "worker.log", **env)

    def stop_all(self) -> None:
        for process in self.processes:
            kill_hard(process)
        self.processes.clear()
        self.engine.dispose()

    def log(self, name: str) -> str:
        path = self.data_dir / name
        return path.read_text(errors="replace") if path.exists() else ""


def kill_hard(process: subprocess.Popen[bytes]) -> None:
    """kill -9 of the process and everything it started (uvicorn and Celery pool children)."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def child_pids(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def wait_until_healthy(base_url: str, process: subprocess.Popen[bytes] | None = None,
                       timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{base_url} did not become healthy in {timeout_s} s")


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; can switch to refusing connections or to
    accepting them and never answering (a hung broker)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.mode = "forward"
        self._server: socket.socket | None = None
        self._stop = threading.Event()
        self._held: list[socket.socket] = []

    def start(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        self._server.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.close()
        for held in self._held:
            held.close()

    def _accept(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except (TimeoutError, OSError):
                continue
            if self.mode == "refuse":
                client.close()
            elif self.mode == "blackhole":
                self._held.append(client)
            else:
                threading.Thread(target=self._pipe_both, args=(client,), daemon=True).start()

    def _pipe_both(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with suppress(OSError):
                sock.close()


@contextmanager
def deployment(database_url: str, data_dir: Path, **settings: Any) -> Iterator[Deployment]:
    data_dir.mkdir(parents=True, exist_ok=True)
    running = Deployment(database_url, data_dir, **settings)
    try:
        yield running
    finally:
        running.stop_all()


class ApiClient:
    """Plain HTTP against a running server, as an exporter or officer would call it."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.base_url, self.headers = base_url, headers
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)

    def declare(self, container_no: str, submit: bool = True) -> dict[str, Any]:
        body = {"goods": [{"hs_code": "8507600090", "un_number": "UN3480", "quantity": 10,
                           "gross_weight_kg": 100.0}],
                "containers": [{"container_no": container_no}]}
        created = self.http.post("/declarations", json=body)
        created.raise_for_status()
        declaration: dict[str, Any] = created.json()
        if submit:
            self.http.post(f"/declarations/{declaration['id']}/submit").raise_for_status()
        return declaration

    def upload(self, declaration_id: int, photo: bytes, timeout_s: float = 30) -> httpx.Response:
        return self.http.post(f"/declarations/{declaration_id}/photos",
                              files={"file": ("p.jpg", photo, "image/jpeg")}, timeout=timeout_s)

    def status(self, declaration_id: int) -> str:
        response = self.http.get(f"/declarations/{declaration_id}")
        response.raise_for_status()
        return str(response.json()["status"])

    def wait_decided(self, declaration_id: int, timeout_s: float = 120) -> str:
        """Polls until the declaration has left SCREENING (or the time is up)."""
        deadline = time.monotonic() + timeout_s
        status = "SCREENING"
        while time.monotonic() < deadline:
            try:
                status = self.status(declaration_id)
            except httpx.HTTPError:
                status = "UNREACHABLE"
            if status not in ("SCREENING", "UNREACHABLE"):
                return status
            time.sleep(0.2)
        return status
