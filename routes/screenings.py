from fastapi import APIRouter

from customs import jobs
from models import JobPublic, StuckScreening, utcnow
from routes.deps import Officer, SessionDep, SettingsDep

router = APIRouter(prefix="/screenings", tags=["screenings"])


@router.get("/stuck", response_model=list[StuckScreening])
def stuck_screenings(session: SessionDep, settings: SettingsDep, _: Officer
                     ) -> list[StuckScreening]:
    """Declarations still in SCREENING after `CLEARLANE_STUCK_SCREENING_MINUTES`, with their
    job; `POST /declarations/{id}/rescreen` runs one again."""
    now = utcnow()
    return [StuckScreening(declaration_id=d.id, declaration_no=d.declaration_no,
                           screening_since=since, minutes=(now - since).total_seconds() / 60,
                           job=JobPublic.model_validate(job) if job else None)
            for d, since, job in jobs.stuck_screenings(session, settings, now)]
