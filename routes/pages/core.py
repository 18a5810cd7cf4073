"""What every page shares: templates, language, the cookie login, role guards, error pages.

Pages use the same accounts and JWT as the API: the token travels in an HttpOnly,
SameSite=Strict cookie instead of an Authorization header. Domain errors raised by the
`customs` services become HTML error pages (or JSON for the pages' own fetch calls), and the
request's transaction is rolled back first.
"""

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from customs import messages
from customs.errors import DomainError, Unauthorized
from models import DeclarationStatus, Role, User, as_utc
from routes.deps import SessionDep, SettingsDep, get_current_user
from routes.errors import domain_status
from routes.pages.forms import validation_message
from routes.pages.i18n import LANG_COOKIE, LANGUAGES, N_, gettext, pick_language

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TOKEN_COOKIE = "clearlane_token"

CSP = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")

HOME = {Role.exporter: "/exporter", Role.officer: "/officer", Role.port_operator: "/port",
        Role.admin: "/admin"}

STATUS_LABELS = {
    DeclarationStatus.draft: N_("Draft"),
    DeclarationStatus.submitted: N_("Submitted"),
    DeclarationStatus.screening: N_("Screening"),
    DeclarationStatus.photos_rejected: N_("Photo retake needed"),
    DeclarationStatus.inspection_required: N_("Inspection required"),
    DeclarationStatus.inspection_scheduled: N_("Inspection scheduled"),
    DeclarationStatus.inspected: N_("Inspected"),
    DeclarationStatus.released: N_("Released"),
    DeclarationStatus.rejected: N_("Rejected"),
    DeclarationStatus.loaded: N_("Loaded"),
    DeclarationStatus.cancelled: N_("Cancelled"),
}
OTHER_LABELS = {
    "pending": N_("Pending review"), "approved": N_("Approved"), "rejected": N_("Rejected"),
    "open": N_("Not yet scheduled"), "scheduled": N_("Scheduled"), "done": N_("Done"),
    "onsite": N_("On site"), "remote": N_("Remote (video)"),
    "pass": N_("Pass"), "fail": N_("Fail"), "green": N_("Green channel"), "red": N_("Red channel"),
    "appointment": N_("Appointment"), "normal": N_("Normal"),
    "other_officer": N_("Another officer"), "next_shift": N_("Next shift"),
    "exporter": N_("Exporter"), "officer": N_("Officer"), "port_operator": N_("Port operator"),
    "admin": N_("Administrator"),
    "front": N_("Front"), "back": N_("Back"), "left": N_("Left"), "right": N_("Right"),
    "top": N_("Top"), "bottom": N_("Bottom"),
    "dangerous_goods": N_("Dangerous goods"), "general": N_("General goods"),
    "perishable": N_("Perishable"), "live_animals": N_("Live animals"),
    "fresh_food": N_("Fresh food"), "sea": N_("Sea"), "air": N_("Air"), "road": N_("Road"),
    "rail": N_("Rail"), "release": N_("Release"), "inspect": N_("Inspect"),
    "retake_photo": N_("Retake photo"), "advanced": N_("Advanced certified (AEO)"),
    "discredited": N_("Discredited"),
    "photo_uploaded": N_("Photo uploaded"), "created": N_("Created"),
    "class9a_label": N_("Class 9A label"), "lithium_battery_mark": N_("Lithium battery mark"),
    "cargo_aircraft_only": N_("Cargo Aircraft Only label"),
}


class LoginRequired(Exception):
    """No valid session cookie: send the visitor to the login page."""


class PageForbidden(Exception):
    """Logged in, but this page belongs to another role."""

    def __init__(self, user: User) -> None:
        super().__init__(user.username)
        self.user = user


# --- templates ---

templates = Environment(loader=FileSystemLoader(HERE / "templates"),
                        autoescape=select_autoescape(["html", "svg"]),
                        trim_blocks=True, lstrip_blocks=True)


def language(request: Request) -> str:
    return pick_language(request.cookies.get(LANG_COOKIE))


def _to_datetime(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)


def render(request: Request, template: str, status_code: int = 200, **context: Any
           ) -> HTMLResponse:
    lang = language(request)
    settings = request.app.state.settings
    zone = ZoneInfo(settings.port_timezone)

    def translate(message: str, **values: object) -> str:
        return gettext(lang, message, **values)

    def local(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        moment = _to_datetime(value)
        return moment.astimezone(zone).strftime(fmt) if moment else "—"

    def label(value: object) -> str:
        key = getattr(value, "value", value)
        text = STATUS_LABELS.get(key) or OTHER_LABELS.get(str(key)) or str(key)  # type: ignore[call-overload]
        return translate(text)

    def service_text(code: str, english: str = "") -> str:
        """A service's reason or error: its English text on English pages, else the code's
        sentence in the page's language (customs.messages)."""
        return english if lang == "en" else messages.text(code, lang, "")

    if context.get("user") is None:
        context["user"] = getattr(request.state, "user", None)
    html = templates.get_template(template).render(
        request=request, _=translate, lang=lang, languages=LANGUAGES, local=local,
        label=label, service_text=service_text, timezone=settings.port_timezone,
        path=request.url.path, current_url=_current_url(request), home=HOME, **context)
    return HTMLResponse(html, status_code=status_code)


def _current_url(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never an absolute URL or a protocol-relative '//host'."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- dependencies ---

def page_session(request: Request, session: SessionDep) -> Session:
    """The request's one session (the same one the API uses); kept so errors can roll it back."""
    request.state.page_session = session
    return session


PageSession = Annotated[Session, Depends(page_session)]


def page_user(request: Request, session: PageSession, settings: SettingsDep) -> User:
    token = request.cookies.get(TOKEN_COOKIE)
    if not token:
        raise LoginRequired()
    try:
        user = get_current_user(session, settings, token)
    except Unauthorized as exc:
        raise LoginRequired() from exc
    request.state.user = user
    return user


PageUser = Annotated[User, Depends(page_user)]


def role(*roles: Role) -> Callable[[User], User]:
    def check(user: PageUser) -> User:
        if user.role not in roles:
            raise PageForbidden(user)
        return user

    return check


ExporterPage = Annotated[User, Depends(role(Role.exporter))]
OfficerPage = Annotated[User, Depends(role(Role.officer))]
PortPage = Annotated[User, Depends(role(Role.port_operator))]
AdminPage = Annotated[User, Depends(role(Role.admin))]


def optional_user(request: Request, session: PageSession, settings: SettingsDep) -> User | None:
    try:
        return page_user(request, session, settings)
    except LoginRequired:
        return None


MaybeUser = Annotated[User | None, Depends(optional_user)]


# --- the route class: errors become pages ---

def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site form or fetch; SameSite=Strict covers the rest
    return urlsplit(origin).netloc == request.headers.get("host", request.url.netloc)


def _rollback(request: Request) -> None:
    session = getattr(request.state, "page_session", None)
    if session is not None:
        session.rollback()


def _error(request: Request, status_code: int, title: str, detail: str, code: str,
           user: User | None = None) -> Response:
    """Chinese pages show the code's Chinese sentence, never the service's English text."""
    if _wants_json(request):
        body = {"detail": detail, "code": code}
        if (chinese := messages.zh(code)) is not None:
            body["detail_zh"] = chinese
        return JSONResponse(body, status_code=status_code)
    lang = language(request)
    if lang != "en":
        detail = messages.text(code, lang, "")
    return render(request, "error.html", status_code=status_code, title=title, detail=detail,
                  code=code, user=user)


def _secure(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cache-Control", "no-store")
    return response


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            if request.method not in ("GET", "HEAD") and not _same_origin(request):
                return _secure(_error(request, 403, N_("Not allowed"),
                                      "cross-site request refused", "cross_site"))
            try:
                response = await handler(request)
            except LoginRequired:
                if _wants_json(request):
                    response = JSONResponse({"detail": "log in first", "code": "unauthorized"},
                                            status_code=401)
                else:
                    target = _current_url(request) if request.method == "GET" else ""
                    response = redirect("/login" + (f"?next={quote(target)}" if target else ""))
            except PageForbidden as exc:
                response = _error(request, 403, N_("This page is not for your role"),
                                  "", "forbidden", exc.user)
            except DomainError as exc:
                _rollback(request)
                response = _error(request, domain_status(exc), N_("That did not work"),
                                  exc.message, exc.code)
            except RequestValidationError as exc:
                _rollback(request)
                where = {str(e.get("loc", ("",))[0]) for e in exc.errors()}
                status_code = 404 if where == {"path"} else 422
                detail = "; ".join(validation_message(e, language(request))
                                   for e in exc.errors()[:5])
                response = _error(request, status_code, N_("That did not work"), detail,
                                  "validation_error")
            except StarletteHTTPException as exc:
                _rollback(request)
                response = _error(request, exc.status_code, N_("That did not work"),
                                  str(exc.detail), f"http_{exc.status_code}")
            return _secure(response)

        return page_handler
