from fastapi import APIRouter
from sqlalchemy import text

from routes.deps import SessionDep

router = APIRouter(tags=["health"])


@router.get("/health", response_model=dict[str, str])
def health(session: SessionDep) -> dict[str, str]:
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return {"status": "ok"}
