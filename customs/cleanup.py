"""Collects files nobody refers to: evidence images of screenings that were superseded or
whose job died, and `.tmp-` files of writes killed half-way.

A blob is referenced by any column named `…sha256` (one hash) or a JSON column named
`evidence` or `…sha256s` (a list of hashes), in any table, so a new kind of stored file is
covered as long as its column follows that naming. Only files older than `min_age` are
touched, so an upload or job still between writing its file and committing its row keeps it.

Run at start-up and by `python -m customs.cleanup`.
"""

import argparse
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import JSON, Engine, select
from sqlmodel import Session, SQLModel

from customs.db import make_engine
from customs.settings import get_settings
from customs.storage import BlobStore

log = logging.getLogger(__name__)
DEFAULT_MIN_AGE = timedelta(hours=1)


@dataclass(frozen=True)
class CleanupReport:
    orphans_removed: int
    temp_files_removed: int
    kept: int


def referenced_blobs(session: Session) -> set[str]:
    import models  # noqa: F401 - every table registered

    referenced: set[str] = set()
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.name.endswith("sha256"):
                referenced.update(v for v in session.execute(select(column).distinct())
                                  .scalars() if v)
            elif isinstance(column.type, JSON) and (column.name == "evidence"
                                                    or column.name.endswith("sha256s")):
                for values in session.execute(select(column)).scalars():
                    referenced.update(v for v in values or () if isinstance(v, str))
    return referenced


def collect(engine: Engine, store: BlobStore, min_age: timedelta = DEFAULT_MIN_AGE
            ) -> CleanupReport:
    if not store.root.exists():
        return CleanupReport(0, 0, 0)
    cutoff = time.time() - min_age.total_seconds()
    old_files = [p for p in store.root.rglob("*") if p.is_file() and p.stat().st_mtime < cutoff]
    with Session(engine) as session:
        referenced = referenced_blobs(session)
    orphans = temps = kept = 0
    for path in old_files:
        if path.name.startswith(".tmp-"):
            temps += _remove(path)
        elif path.name in referenced:
            kept += 1
        else:
            orphans += _remove(path)
    if orphans or temps:
        log.info("cleanup: removed %s orphaned files and %s temp files", orphans, temps)
    return CleanupReport(orphans, temps, kept)


def _remove(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m customs.cleanup",
        description="Remove stored files no record refers to, and leftover temp files.")
    parser.add_argument("--min-age-minutes", type=float, default=60,
                        help="only files older than this (default 60)")
    args = parser.parse_args(argv)
    settings = get_settings()
    engine = make_engine(settings.resolved_database_url)
    report = collect(engine, BlobStore(settings.blob_dir),
                     timedelta(minutes=args.min_age_minutes))
    engine.dispose()
    print(f"removed {report.orphans_removed} orphaned files and {report.temp_files_removed} "
          f"temp files; {report.kept} referenced files kept")


if __name__ == "__main__":
    main()
