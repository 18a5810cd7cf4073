"""One uvicorn worker under cProfile, for the API bench's profile summary.

    python scripts/profiled_server.py PORT STATS_FILE

SIGUSR1 starts profiling, SIGUSR2 stops it and writes the stats to STATS_FILE, so that start-up
and warm-up stay out of the numbers. cProfile sees the event-loop thread only: what runs in the
thread pool (sync endpoints, SQLite reads) shows up as the awaiting coroutine's time.
"""

import cProfile
import signal
import sys
from types import FrameType

import uvicorn


def main() -> None:
    port, stats_file = int(sys.argv[1]), sys.argv[2]
    profile = cProfile.Profile()

    def start(_signum: int, _frame: FrameType | None) -> None:
        profile.enable()

    def stop(_signum: int, _frame: FrameType | None) -> None:
        profile.disable()
        profile.dump_stats(stats_file)

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    uvicorn.run("routes.app:app", host="127.0.0.1", port=port, loop="uvloop", http="httptools",
                access_log=False, log_level="warning")


if __name__ == "__main__":
    main()
