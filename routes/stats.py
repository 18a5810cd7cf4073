from fastapi import APIRouter

from customs import stats
from models import ReleaseTimeStats, UtcDatetime
from routes.deps import Officer, SessionDep

router = APIRouter(prefix="/stats", tags=["statistics"])


@router.get("/release-times", response_model=ReleaseTimeStats)
def release_times(session: SessionDep, _: Officer, period_from: UtcDatetime | None = None,
                  period_to: UtcDatetime | None = None) -> ReleaseTimeStats:
    return stats.release_times(session, period_from, period_to)
