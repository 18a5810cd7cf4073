"""The direct-loading list (出口直装) of one vessel and voyage, for the port operator.

Every declared container on the voyage with what the port may do with it: released (may load),
hold (with a reason the port may see: a code and a short text, never the screening evidence),
in transit under e-seal (with its ETA), or loaded. A container that was loaded shows as loaded,
whatever else names it later.
"""

import csv
import io
import re

from sqlmodel import Session, col, select

from customs import clearance, transaction, transit
from customs.containers import normalise_container_no
from customs.errors import DomainError, Invalid
from models import (
    BulkLoadResult,
    BulkLoadRow,
    Declaration,
    DeclarationStatus,
    User,
    VesselContainer,
    VesselList,
)

LOAD_STATUSES = ("released", "hold", "in_transit", "loaded")
NOT_ON_THE_LIST = (DeclarationStatus.draft, DeclarationStatus.cancelled)
# Which of two declarations naming one container the list shows: loaded beats live beats
# rejected (a container goes to the ship once).
_RANK = {"loaded": 3, "released": 2, "in_transit": 2, "hold": 1}


def vessel_list(session: Session, vessel: str, voyage: str) -> VesselList:
    vessel, voyage = vessel.strip(), voyage.strip()
    if not vessel or not voyage:
        raise Invalid("give both the vessel name and the voyage number", code="vessel_required")
    declarations = session.exec(
        select(Declaration).where(
            col(Declaration.vessel).ilike(vessel), col(Declaration.voyage).ilike(voyage),
            col(Declaration.status).not_in(NOT_ON_THE_LIST))
        .order_by(col(Declaration.id)))
    rows: dict[str, VesselContainer] = {}
    for declaration in declarations:
        for number, view in transit.views_for(session, declaration).items():
            row = VesselContainer(
                container_no=number, declaration_no=declaration.declaration_no,
                declaration_status=DeclarationStatus(declaration.status),
                load_status=view.load_status, reason_code=view.code, reason=view.message,
                eta=view.eta, released_at=declaration.released_at,
                loaded_at=declaration.loaded_at)
            current = rows.get(number)
            if current is None or _RANK[row.load_status] >= _RANK[current.load_status]:
                rows[number] = row
    containers = sorted(rows.values(), key=lambda r: r.container_no)
    counts = {status: sum(1 for r in containers if r.load_status == status)
              for status in LOAD_STATUSES}
    counts["total"] = len(containers)
    return VesselList(vessel=vessel, voyage=voyage, counts=counts, containers=containers)


CSV_COLUMNS = ("container_no", "declaration_no", "load_status", "reason_code", "reason", "eta",
               "released_at", "loaded_at")


def csv_filename(listing: VesselList) -> str:
    """ASCII only (it goes into a header): 'COSCO_XIAMEN-041E.csv'."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", f"{listing.vessel}-{listing.voyage}") + ".csv"


def to_csv(listing: VesselList) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in listing.containers:
        values = row.model_dump(mode="json")
        writer.writerow(["" if values[c] is None else values[c] for c in CSV_COLUMNS])
    return out.getvalue()


def bulk_load(session: Session, user: User, numbers: list[str]) -> BulkLoadResult:
    """Records loading for each scanned or pasted container whose declaration may load.

    Loading is recorded per declaration (its containers go on board together), so scanning
    one container loads its declaration; a container that cannot load is reported, not fatal.
    """
    rows: list[BulkLoadRow] = []
    for raw in numbers:
        try:
            number = normalise_container_no(raw)
            declaration = _holder(session, number)
            if declaration.status == DeclarationStatus.loaded:
                rows.append(BulkLoadRow(container_no=number, loaded=True, code="already_loaded",
                                        detail=f"already loaded ({declaration.declaration_no})"))
                continue
            clearance.mark_loaded(session, user, declaration)
            rows.append(BulkLoadRow(container_no=number, loaded=True, code="loaded",
                                    detail=f"loaded ({declaration.declaration_no})"))
        except DomainError as exc:
            transaction.rollback(session)
            rows.append(BulkLoadRow(container_no=raw.strip().upper(), loaded=False,
                                    code=exc.code, detail=exc.message))
    loaded = sum(1 for r in rows if r.loaded)
    return BulkLoadResult(loaded=loaded, refused=len(rows) - loaded, rows=rows)


def _holder(session: Session, number: str) -> Declaration:
    return clearance.find(session, container_no=number, declaration_no=None)


def containers_in(text: str) -> list[str]:
    """Scanned or pasted container numbers: one per line, or split by spaces/commas/tabs."""
    seen: dict[str, None] = {}
    for token in text.replace(",", " ").replace(";", " ").split():
        seen.setdefault(token.strip().upper(), None)
    return list(seen)[:500]


