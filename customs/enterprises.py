import secrets

from sqlmodel import Session, select

from customs import transaction
from customs.errors import Conflict, Invalid, NotFound
from customs.security import hash_password, record_event, revoke_tokens
from models import (
    Enterprise,
    EnterpriseCreate,
    Office,
    OfficeCreate,
    Role,
    User,
    UserCreate,
    utcnow,
)


def create_enterprise(session: Session, data: EnterpriseCreate) -> Enterprise:
    if session.exec(select(Enterprise).where(Enterprise.customs_code == data.customs_code)).first():
        raise Conflict(f"an enterprise with customs code {data.customs_code} already exists",
                       code="duplicate_customs_code")
    enterprise = Enterprise.model_validate(data)
    session.add(enterprise)
    transaction.commit(session)
    return enterprise


def create_office(session: Session, data: OfficeCreate) -> Office:
    office = Office.model_validate(data)
    session.add(office)
    transaction.commit(session)
    return office


def create_user(session: Session, data: UserCreate) -> User:
    if data.role == Role.exporter and data.enterprise_id is None:
        raise Invalid("an exporter must belong to an enterprise: give enterprise_id",
                      code="enterprise_required")
    if data.role != Role.exporter and data.enterprise_id is not None:
        raise Invalid("only exporters belong to an enterprise: leave enterprise_id empty",
                      code="enterprise_not_allowed")
    if data.enterprise_id is not None and session.get(Enterprise, data.enterprise_id) is None:
        raise NotFound(f"enterprise {data.enterprise_id} does not exist")
    if data.office_id is not None and session.get(Office, data.office_id) is None:
        raise NotFound(f"office {data.office_id} does not exist")
    if data.shift_start and data.shift_end and data.shift_end <= data.shift_start:
        raise Invalid("shift_end must be after shift_start", code="invalid_shift")
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict(f"the username {data.username} is taken", code="duplicate_username")
    user = User.model_validate(data, update={"hashed_password": hash_password(data.password)})
    session.add(user)
    transaction.commit(session)
    return user


def ensure_admin(session: Session, password: str) -> bool:
    """Creates the `admin` user on first start; returns whether it was created."""
    if session.exec(select(User).where(User.username == "admin")).first():
        return False
    session.add(User(username="admin", full_name="Administrator", role=Role.admin,
                     hashed_password=hash_password(password)))
    transaction.commit(session)
    return True



def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def _not_self(admin: User, user: User, what: str) -> None:
    if admin.id == user.id:
        raise Conflict(f"you cannot {what} your own account; ask another administrator",
                       code="own_account")


def set_active(session: Session, admin: User, user_id: int, active: bool) -> User:
    """Disabling also revokes the account's tokens at once."""
    user = get_user(session, user_id)
    if not active:
        _not_self(admin, user, "disable")
    if user.is_active != active:
        user.is_active = active
        if active:
            record_event(session, "user_enabled", user.username, user=user, actor=admin)
        else:
            revoke_tokens(session, user, "user_disabled", actor=admin)
        session.add(user)
        transaction.commit(session)
    return user


def delete_user(session: Session, admin: User, user_id: int) -> None:
    """Deletes the account: it can no longer log in, its tokens stop working and its username
    is free again. The row stays as a tombstone (no name, no password) because audit events,
    photos and reviews refer to it."""
    user = get_user(session, user_id)
    _not_self(admin, user, "delete")
    revoke_tokens(session, user, "user_deleted", actor=admin)
    user.username = f"deleted-{user.id}-{secrets.token_hex(4)}"
    user.full_name = ""
    user.hashed_password = hash_password(secrets.token_urlsafe(32))
    user.is_active = False
    user.deleted_at = utcnow()
    session.add(user)
    transaction.commit(session)
