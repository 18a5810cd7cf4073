from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from customs import certificates
from models import CertificateVerification
from routes.deps import CurrentUser, SessionDep, SettingsDep, StoreDep

router = APIRouter(prefix="/certificates", tags=["certificates"])
CertificateNo = Annotated[str, Path(max_length=32)]


@router.get("/{certificate_no}", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}})
def get_certificate_pdf(certificate_no: CertificateNo, session: SessionDep, store: StoreDep,
                        user: CurrentUser) -> Response:
    certificate = certificates.get_for(session, certificate_no, user)
    return Response(store.get(certificate.pdf_sha256), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'inline; filename="{certificate_no}.pdf"'})


@router.get("/{certificate_no}/verify", response_model=CertificateVerification)
def verify_certificate(certificate_no: CertificateNo, session: SessionDep,
                       settings: SettingsDep) -> CertificateVerification:
    """Public: anyone holding a certificate can check it is genuine and still stands."""
    return certificates.verify(session, settings, certificate_no)
