"""Login, logout, language, static assets, the role landing pages and certificate verification."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import FileResponse, Response

from customs import certificates, security
from customs.errors import NotFound, Throttled, Unauthorized
from routes.auth import client_address
from routes.deps import SettingsDep
from routes.pages.core import (
    HOME,
    STATIC_DIR,
    TOKEN_COOKIE,
    MaybeUser,
    PageRoute,
    PageSession,
    redirect,
    render,
    safe_next,
)
from routes.pages.i18n import LANG_COOKIE, LANGUAGES, N_

router = APIRouter(route_class=PageRoute)
ASSET_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml",
               ".png": "image/png", ".ico": "image/x-icon"}


@router.get("/")
def index(user: MaybeUser) -> Response:
    return redirect(HOME[user.role] if user else "/login")


@router.get("/login")
def login_form(request: Request, user: MaybeUser,
               next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    if user is not None:
        return redirect(safe_next(next, HOME[user.role]))
    return render(request, "login.html", next=safe_next(next, ""), error=None, username="")


@router.post("/login")
def login(request: Request, session: PageSession, settings: SettingsDep,
          username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=128)],
          next: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        token = security.login(session, settings, username.strip(), password,
                               client_address(request))
    except Throttled as exc:
        response = render(request, "login.html", status_code=429, next=safe_next(next, ""),
                          error=N_("Too many failed logins. Wait a few minutes and try again."),
                          username=username)
        response.headers["Retry-After"] = str(exc.retry_after_s)
        return response
    except Unauthorized:
        return render(request, "login.html", status_code=401, next=safe_next(next, ""),
                      error=N_("Wrong username or password."), username=username)
    user = security.authenticate_token(session, token, settings)
    response = redirect(safe_next(next, HOME[user.role]))
    response.set_cookie(TOKEN_COOKIE, token, max_age=settings.token_minutes * 60,
                        httponly=True, samesite="strict", path="/",
                        secure=settings.public_base_url.startswith("https://"))
    return response


@router.post("/logout")
def logout(request: Request, session: PageSession, user: MaybeUser) -> Response:
    """Ends every session of the account, not only this browser's cookie."""
    if user is not None:
        security.logout(session, user, client_address(request))
    response = redirect("/login")
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


@router.get("/lang/{code}")
def switch_language(code: Annotated[str, Path(max_length=8)],
                    next: Annotated[str | None, Query(max_length=500)] = None) -> Response:
    response = redirect(safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax",
                            path="/")
    return response


@router.get("/assets/{name:path}")
def asset(name: Annotated[str, Path(max_length=100)]) -> Response:
    path = (STATIC_DIR / name).resolve()
    if STATIC_DIR.resolve() not in path.parents or not path.is_file() \
            or path.suffix not in ASSET_TYPES:
        raise NotFound("no such file")
    return FileResponse(path, media_type=ASSET_TYPES[path.suffix],
                        headers={"Cache-Control": "public, max-age=3600"})


# --- public certificate verification (the QR code on every certificate points here) ---

@router.get("/verify")
def verify_form(request: Request, user: MaybeUser,
                no: Annotated[str | None, Query(max_length=32)] = None) -> Response:
    if no and no.strip():
        return redirect(f"/verify/{no.strip()}")
    return render(request, "verify.html", result=None, number="", reasons=[], user=user)


@router.get("/verify/{certificate_no}")
def verify(request: Request, session: PageSession, settings: SettingsDep, user: MaybeUser,
           certificate_no: Annotated[str, Path(max_length=32)],
           t: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    """The QR code's target: `t` is the certificate's secret token, which shows the full
    contents; without it only the summary anyone may see."""
    result = certificates.verify(session, settings, certificate_no, t)
    reasons: list[str] = []
    if not result.found:
        reasons.append(N_("No certificate with this number was ever issued."))
    else:
        if not result.signature_valid:
            reasons.append(N_("The signature does not match the certificate's contents: "
                              "it may have been altered."))
        if result.revoked:
            reasons.append(N_("The certificate was revoked: the release no longer stands."))
    if result.valid:
        reasons.append(N_("The signature is valid and the declaration is released."))
    return render(request, "verify.html", result=result, number=certificate_no,
                  reasons=reasons, user=user)
