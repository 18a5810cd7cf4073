"""A JSON response serialised by pydantic-core (Rust) from plain dicts and lists, for hot paths
that build their answer from database rows: no model validation on the way out, and the same
text as a response model gives (UTC times with `Z`, enums by value)."""

from typing import Any

import pydantic_core
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel


class FastJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """A model already built (and validated) by the domain, serialised once, as the route's
    response model would: FastAPI passes a returned Response through without re-validating."""
    return Response(type(model).__pydantic_serializer__.to_json(model), status_code=status_code,
                    media_type="application/json")
