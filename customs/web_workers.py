"""How many uvicorn worker processes to run: `python -m customs.web_workers` prints it.

CLEARLANE_WEB_WORKERS overrides; otherwise one per CPU this process may use (its affinity mask,
capped by a cgroup v2 CPU quota such as `docker run --cpus`). Each worker starts its own
in-process job threads in its lifespan; jobs are claimed with leases, so several workers never
run the same job.
"""

import math
import os
from pathlib import Path

CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")


def available_cpus() -> int:
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)
    try:
        quota, period = CGROUP_CPU_MAX.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, count)


def worker_count(environ: dict[str, str] | None = None) -> int:
    value = (environ if environ is not None else os.environ).get("CLEARLANE_WEB_WORKERS", "")
    if value.strip():
        try:
            workers = int(value)
        except ValueError:
            raise SystemExit(f"CLEARLANE_WEB_WORKERS={value!r} is not a whole number") from None
        if not 1 <= workers <= 64:
            raise SystemExit(f"CLEARLANE_WEB_WORKERS={workers} must lie between 1 and 64")
        return workers
    return available_cpus()


if __name__ == "__main__":
    print(worker_count())
