from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse, Response

from customs import certificates
from models import CertificateVerification
from routes.deps import CurrentUser, SessionDep, SettingsDep, StoreDep

router = APIRouter(prefix="/certificates", tags=["certificates"])
keys_router = APIRouter(tags=["certificates"])
CertificateNo = Annotated[str, Path(max_length=32)]
VerifyToken = Annotated[str | None, Query(max_length=64, description=(
    "the secret token from the certificate's QR code: with it, the full certified contents"))]


@router.get("/{certificate_no}", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def get_certificate_pdf(certificate_no: CertificateNo, session: SessionDep, store: StoreDep,
                        user: CurrentUser) -> Response:
    """The signed PDF: for the exporter who owns it and for officers."""
    certificate = certificates.get_for(session, certificate_no, user)
    return Response(store.get(certificate.pdf_sha256), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{certificate_no}.pdf"',
                             "Cache-Control": "no-store"})


@router.get("/{certificate_no}/verify", response_model=CertificateVerification)
def verify_certificate(certificate_no: CertificateNo, session: SessionDep,
                       settings: SettingsDep, token: VerifyToken = None
                       ) -> CertificateVerification:
    """Public: whether the certificate is genuine and still stands, with a minimal summary.
    The certified contents (goods, containers, vessel) only come with the QR code's token."""
    return certificates.verify(session, settings, certificate_no, token)


@keys_router.get("/.well-known/clearlane-keys.json", response_model=dict[str, Any])
def signing_keys(settings: SettingsDep) -> JSONResponse:
    """Public keys that sign certificates (JWK set, Ed25519), by key id. Check a PDF offline
    with `python -m customs verify-pdf FILE.pdf --keys clearlane-keys.json`."""
    return JSONResponse(certificates.published_keys(settings),
                        headers={"Cache-Control": "public, max-age=3600"})
