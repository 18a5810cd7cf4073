"""Domain errors. Each carries a stable machine code and a message that says what to fix."""


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class Invalid(DomainError):
    code = "invalid"


class Conflict(DomainError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class ConcurrentUpdate(Conflict):
    code = "concurrent_update"


class UploadRejected(Invalid):
    code = "upload_rejected"


class UploadTooLarge(UploadRejected):
    code = "upload_too_large"


class Unavailable(DomainError):
    code = "unavailable"

    def __init__(self, message: str, *, code: str | None = None, retry_after_s: int = 5
                 ) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class TooBusy(DomainError):
    """Back-pressure: the caller should come back after `retry_after_s` seconds."""

    code = "too_busy"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class Throttled(TooBusy):
    """Too many failed attempts (logins): try again after `retry_after_s` seconds."""

    code = "too_many_attempts"
