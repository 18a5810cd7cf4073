"""Password hashing (Argon2 via pwdlib) and bearer tokens (JWT via PyJWT)."""

from datetime import timedelta

import jwt
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from customs.errors import Unauthorized
from models import utcnow

# Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~50 ms per login.
_hasher = PasswordHash((Argon2Hasher(memory_cost=19_456, time_cost=2, parallelism=1),))
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, hashed: str) -> bool:
    return _hasher.verify(password, hashed)


def create_access_token(user_id: int, secret: str, minutes: int) -> str:
    now = utcnow()
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(minutes=minutes)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_access_token(token: str, secret: str) -> int:
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM])
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError) as exc:
        raise Unauthorized("the bearer token is invalid or expired; log in again") from exc
