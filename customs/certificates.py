"""Signed e-certificates (云签发): issued on release, verifiable by anyone."""

from sqlmodel import Session, select

from customs import notifications
from customs.certificate_pdf import render_pdf
from customs.declarations import containers_of, goods_of
from customs.errors import NotFound
from customs.settings import Settings
from customs.signing import load_signer
from customs.storage import BlobStore
from models import (
    Certificate,
    CertificateVerification,
    Channel,
    Declaration,
    DeclarationStatus,
    Enterprise,
    Role,
    User,
    as_utc,
    utcnow,
)

VALID_STATES = {DeclarationStatus.released, DeclarationStatus.loaded}


def verify_url(settings: Settings, certificate_no: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/verify/{certificate_no}"


def issue(session: Session, settings: Settings, store: BlobStore, declaration: Declaration,
          channel: Channel) -> Certificate:
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None and declaration.released_at is not None
    number = "CLC" + declaration.declaration_no[2:]
    existing = session.exec(select(Certificate).where(
        Certificate.certificate_no == number)).first()
    if existing is not None:  # released again after a port inspection (broken e-seal)
        notifications.emit(session, declaration, "declaration.released",
                           {"certificate_no": number, "channel": channel.value})
        return existing
    payload = {
        "certificate_no": number,
        "declaration_no": declaration.declaration_no,
        "exporter": enterprise.name,
        "customs_code": enterprise.customs_code,
        "port": declaration.port,
        "vessel": declaration.vessel,
        "voyage": declaration.voyage,
        "containers": [c.container_no for c in containers_of(session, declaration.id)],
        "goods": [g.model_dump(include={"line_no", "hs_code", "un_number", "description",
                                        "quantity", "gross_weight_kg"})
                  for g in goods_of(session, declaration.id)],
        "channel": channel.value,
        "released_at": as_utc(declaration.released_at).isoformat(),
        "issued_at": utcnow().isoformat(),
    }
    signer = load_signer(settings.signing_key_path)
    signature = signer.sign(payload)
    pdf = render_pdf(payload, signature, signer.key_id, verify_url(settings, number))
    pdf_sha, _ = store.put(pdf)
    certificate = Certificate(certificate_no=number, declaration_id=declaration.id,
                              payload=payload, signature=signature, key_id=signer.key_id,
                              pdf_sha256=pdf_sha)
    session.add(certificate)
    session.flush()
    notifications.emit(session, declaration, "declaration.released",
                       {"certificate_no": number, "channel": channel.value})
    return certificate


def get_by_no(session: Session, certificate_no: str) -> Certificate:
    certificate = session.exec(
        select(Certificate).where(Certificate.certificate_no == certificate_no)).first()
    if certificate is None:
        raise NotFound(f"certificate {certificate_no} does not exist")
    return certificate


def get_for(session: Session, certificate_no: str, user: User) -> Certificate:
    """The certificate if the user may read it: exporters only their own enterprise's."""
    certificate = get_by_no(session, certificate_no)
    declaration = session.get(Declaration, certificate.declaration_id)
    if user.role == Role.exporter and (declaration is None
                                       or declaration.enterprise_id != user.enterprise_id):
        raise NotFound(f"certificate {certificate_no} does not exist")
    return certificate


def for_declaration(session: Session, declaration_id: int) -> Certificate | None:
    return session.exec(
        select(Certificate).where(Certificate.declaration_id == declaration_id)).first()


def verify(session: Session, settings: Settings, certificate_no: str) -> CertificateVerification:
    certificate = session.exec(
        select(Certificate).where(Certificate.certificate_no == certificate_no)).first()
    if certificate is None:
        return CertificateVerification(
            certificate_no=certificate_no, valid=False, signature_valid=False,
            declaration_no=None, status=None, issued_at=None, payload=None,
            reasons=["no certificate with this number was ever issued"])
    signer = load_signer(settings.signing_key_path)
    signature_valid = (certificate.key_id == signer.key_id
                       and signer.verify(certificate.payload, certificate.signature))
    declaration = session.get(Declaration, certificate.declaration_id)
    assert declaration is not None
    status = DeclarationStatus(declaration.status)
    reasons = []
    if not signature_valid:
        reasons.append("the signature does not match the certificate's contents")
    if status not in VALID_STATES:
        reasons.append(f"the declaration is now {status}; the release no longer stands")
    return CertificateVerification(
        certificate_no=certificate_no, valid=not reasons, signature_valid=signature_valid,
        declaration_no=declaration.declaration_no, status=status,
        issued_at=certificate.issued_at, payload=certificate.payload,
        reasons=reasons or ["signature valid and the declaration is released"])
