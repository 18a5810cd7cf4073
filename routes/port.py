from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from customs import vessel_list
from models import BulkLoad, BulkLoadResult, VesselList
from routes.deps import PortOperator, PortOrOfficer, SessionDep

router = APIRouter(prefix="/port", tags=["port"])
VesselQuery = Annotated[str, Query(min_length=1, max_length=100)]
VoyageQuery = Annotated[str, Query(min_length=1, max_length=40)]


@router.get("/vessels", response_model=VesselList)
def get_vessel_list(session: SessionDep, _: PortOrOfficer, vessel: VesselQuery,
                    voyage: VoyageQuery) -> VesselList:
    """The direct-loading list: every declared container of the voyage and what it may do."""
    return vessel_list.vessel_list(session, vessel, voyage)


@router.get("/vessels.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def get_vessel_list_csv(session: SessionDep, _: PortOrOfficer, vessel: VesselQuery,
                        voyage: VoyageQuery) -> Response:
    return csv_response(vessel_list.vessel_list(session, vessel, voyage))


def csv_response(listing: VesselList) -> Response:
    disposition = f'attachment; filename="{vessel_list.csv_filename(listing)}"'
    return Response(vessel_list.to_csv(listing), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": disposition})


@router.post("/loadings", response_model=BulkLoadResult)
def bulk_load(data: BulkLoad, session: SessionDep, user: PortOperator) -> BulkLoadResult:
    """Records loading for scanned or pasted container numbers; each row says how it went."""
    return vessel_list.bulk_load(session, user, data.container_nos)
