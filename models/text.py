"""Text that is safe to store: no NUL, no other control characters, no lone surrogates.

PostgreSQL refuses NUL in text and psycopg cannot encode a lone surrogate, so such input used
to end in a 500; it is refused at the edge instead, with the field named.
"""

from typing import Annotated

from pydantic import AfterValidator

ALLOWED_CONTROLS = frozenset("\t\n\r")


def unsafe_character(text: str) -> str | None:
    """A description of the first character that may not be stored, or None if all are fine."""
    for index, char in enumerate(text):
        code = ord(char)
        if char in ALLOWED_CONTROLS:
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            return f"control character U+{code:04X} at position {index}"
        if 0xD800 <= code <= 0xDFFF:
            return f"unpaired surrogate U+{code:04X} at position {index}"
    return None


def _reject_unsafe(text: str) -> str:
    problem = unsafe_character(text)
    if problem:
        raise ValueError(f"{problem} is not allowed; send plain text")
    return text


SafeStr = Annotated[str, AfterValidator(_reject_unsafe)]
