"""Signed e-certificates (云签发): issued on release, verifiable by anyone.

* A certificate number is `CLC` + 16 base32 characters: 80 random bits, no sequential id, so
  numbers cannot be guessed or enumerated.
* The QR code carries a second secret, the verify token (128 random bits; only its SHA-256 is
  stored). Without it, verification shows only whether the certificate stands (or when it was
  revoked), its number, issuer, issue date, exporter name and the PDF's hash. With it, the
  full certified contents.
* The PDF goes to the owner exporter and to officers; other roles are refused.
"""

import base64
import hashlib
import hmac
import secrets

from sqlmodel import Session, col, select

from customs import notifications
from customs.certificate_pdf import extract_envelope, render_pdf
from customs.declarations import containers_of, goods_of
from customs.errors import Forbidden, NotFound
from customs.settings import Settings
from customs.signing import envelope, jwk_set, key_ring, load_signer, verify_with
from customs.storage import BlobStore
from models import (
    AuditEvent,
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
NUMBER_PREFIX = "CLC"
NUMBER_RANDOM_BYTES = 10  # 80 bits → 16 base32 characters
TOKEN_RANDOM_BYTES = 16  # 128 bits
PDF_READERS = {Role.exporter, Role.officer}


def new_certificate_no() -> str:
    return NUMBER_PREFIX + base64.b32encode(secrets.token_bytes(NUMBER_RANDOM_BYTES)).decode()


def _token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def verify_url(settings: Settings, certificate_no: str, token: str | None = None) -> str:
    url = f"{settings.public_base_url.rstrip('/')}/verify/{certificate_no}"
    return f"{url}?t={token}" if token else url


def issue(session: Session, settings: Settings, store: BlobStore, declaration: Declaration,
          channel: Channel) -> Certificate:
    enterprise = session.get(Enterprise, declaration.enterprise_id)
    assert enterprise is not None and declaration.released_at is not None
    number = new_certificate_no()
    token = secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    payload = {
        "certificate_no": number,
        "issuer": settings.certificate_issuer,
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
    qr_url = verify_url(settings, number, token)
    pdf = render_pdf(payload, signature, signer.key_id, qr_url,
                     envelope(payload, signature, signer.key_id, qr_url),
                     timezone=settings.port_timezone)
    pdf_sha, _ = store.put(pdf)
    certificate = Certificate(certificate_no=number, declaration_id=declaration.id,
                              payload=payload, signature=signature, key_id=signer.key_id,
                              pdf_sha256=pdf_sha, verify_token_sha256=_token_sha256(token))
    session.add(certificate)
    session.flush()
    notifications.emit(session, declaration, "declaration.released",
                       {"certificate_no": number, "channel": channel.value})
    return certificate


def qr_verify_url(store: BlobStore, certificate: Certificate) -> str | None:
    """The URL in the certificate's QR code (with its secret token), read back from the PDF:
    for the owner and officers, who may see the full contents anyway. Only the token's hash
    is kept in the database."""
    try:
        url = extract_envelope(store.get(certificate.pdf_sha256)).get("verify_url")
    except (NotFound, ValueError):
        return None
    return str(url) if url else None


def owner_verify_url(settings: Settings, store: BlobStore, certificate: Certificate) -> str:
    """The full verify link (with the QR token) for the owner and officers; the public
    summary link for certificates issued before tokens existed."""
    return qr_verify_url(store, certificate) or verify_url(settings, certificate.certificate_no)


def published_keys(settings: Settings) -> dict[str, object]:
    """The JWK set served at /.well-known/clearlane-keys.json."""
    return jwk_set(key_ring(settings.signing_key_path, settings.retired_keys_dir))


def _find(session: Session, certificate_no: str) -> Certificate | None:
    return session.exec(
        select(Certificate).where(Certificate.certificate_no == certificate_no)).first()


def get_by_no(session: Session, certificate_no: str) -> Certificate:
    certificate = _find(session, certificate_no)
    if certificate is None:
        raise NotFound(f"certificate {certificate_no} does not exist")
    return certificate


def get_for(session: Session, certificate_no: str, user: User) -> Certificate:
    """The certificate if the user may read its PDF: the owner exporter, or an officer."""
    if user.role not in PDF_READERS:
        raise Forbidden("certificate PDFs go to the exporter who owns them and to officers; "
                        "anyone can check one at /certificates/{no}/verify")
    certificate = get_by_no(session, certificate_no)
    declaration = session.get(Declaration, certificate.declaration_id)
    if user.role == Role.exporter and (declaration is None
                                       or declaration.enterprise_id != user.enterprise_id):
        raise NotFound(f"certificate {certificate_no} does not exist")
    return certificate


def for_declaration(session: Session, declaration_id: int) -> Certificate | None:
    return session.exec(
        select(Certificate).where(Certificate.declaration_id == declaration_id)).first()


def _revoked_at(session: Session, declaration: Declaration) -> AuditEvent | None:
    """The transition that ended the release (revoked, rejected …), if there was one."""
    query = (select(AuditEvent)
             .where(AuditEvent.declaration_id == declaration.id,
                    col(AuditEvent.from_status).in_([s.value for s in VALID_STATES]),
                    col(AuditEvent.to_status).not_in([s.value for s in VALID_STATES]))
             .order_by(col(AuditEvent.id).desc()))
    return session.exec(query).first()


def token_matches(certificate: Certificate, token: str | None) -> bool:
    if not token or not certificate.verify_token_sha256:
        return False
    return hmac.compare_digest(_token_sha256(token), certificate.verify_token_sha256)


def verify(session: Session, settings: Settings, certificate_no: str,
           token: str | None = None) -> CertificateVerification:
    certificate = _find(session, certificate_no)
    if certificate is None:
        return CertificateVerification(
            certificate_no=certificate_no, found=False, valid=False, signature_valid=False,
            reasons=["no certificate with this number was ever issued"])
    ring = key_ring(settings.signing_key_path, settings.retired_keys_dir)
    key = ring.get(certificate.key_id)
    signature_valid = key is not None and verify_with(key.key, certificate.payload,
                                                      certificate.signature)
    declaration = session.get(Declaration, certificate.declaration_id)
    assert declaration is not None
    stands = DeclarationStatus(declaration.status) in VALID_STATES
    ended = None if stands else _revoked_at(session, declaration)
    reasons = []
    if not signature_valid:
        reasons.append("the signature does not match the certificate's contents")
    if not stands:
        reasons.append("the certificate was revoked; the release no longer stands")
    payload = certificate.payload
    return CertificateVerification(
        certificate_no=certificate_no, found=True, valid=not reasons,
        signature_valid=signature_valid, revoked=not stands,
        revoked_at=ended.at if ended else None,
        issuer=str(payload.get("issuer") or settings.certificate_issuer),
        issued_at=certificate.issued_at, exporter=str(payload.get("exporter", "")),
        document_sha256=certificate.pdf_sha256, key_id=certificate.key_id,
        payload=payload if token_matches(certificate, token) else None,
        reasons=reasons or ["signature valid and the release stands"])
