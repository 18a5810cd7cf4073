"""`python -m customs verify-pdf FILE.pdf [--keys clearlane-keys.json]`: checks a certificate PDF
offline. The signature embedded in the PDF is verified against the published keys (a JWK set
saved from `/.well-known/clearlane-keys.json`), or against this installation's own key when no
`--keys` file is given. Exit status 0: genuine; 1: not genuine; 2: unreadable input.

Demo data is loaded with `python -m customs.demo`, unchanged.
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from customs.certificate_pdf import extract_envelope
from customs.settings import get_settings
from customs.signing import (
    ENVELOPE_FORMAT,
    PublicKey,
    key_ring,
    public_key_from_jwk,
    verify_with,
)


def _keys_from_file(path: Path) -> dict[str, PublicKey]:
    document = json.loads(path.read_text())
    keys = [public_key_from_jwk(jwk) for jwk in document.get("keys", [])]
    return {key.key_id: key for key in keys}


def check_pdf(pdf: bytes, keys: dict[str, PublicKey]) -> tuple[bool, list[str]]:
    """(genuine, lines to print) for one certificate PDF."""
    lines = [f"file sha256: {hashlib.sha256(pdf).hexdigest()}"]
    signed: dict[str, Any] = extract_envelope(pdf)
    if signed.get("format") != ENVELOPE_FORMAT:
        return False, [*lines, f"unknown signature format {signed.get('format')!r}"]
    payload, key_id = signed.get("payload"), str(signed.get("key_id"))
    key = keys.get(key_id)
    if key is None:
        return False, [*lines, f"NOT VERIFIED: key {key_id} is not among the published keys "
                               f"({', '.join(keys) or 'none'})"]
    if not isinstance(payload, dict) or not verify_with(key.key, payload,
                                                        str(signed.get("signature"))):
        return False, [*lines, f"NOT GENUINE: the signature does not match (key {key_id})"]
    lines += [f"GENUINE: signed by key {key_id} ({key.status})",
              *(f"  {name}: {json.dumps(value, ensure_ascii=False)}"
                for name, value in payload.items()),
              "Offline check only: revocation is shown at the certificate's verify URL."]
    return True, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m customs")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify-pdf", help="check a certificate PDF's signature offline")
    verify.add_argument("pdf", type=Path)
    verify.add_argument("--keys", type=Path, help="JWK set saved from "
                        "/.well-known/clearlane-keys.json (default: this installation's key)")
    args = parser.parse_args(argv)
    try:
        pdf = args.pdf.read_bytes()
        if args.keys:
            keys = _keys_from_file(args.keys)
        else:
            settings = get_settings()
            if not settings.signing_key_path.exists():
                raise ValueError(f"no signing key at {settings.signing_key_path}; pass --keys "
                                 "with the JWK set from /.well-known/clearlane-keys.json")
            keys = key_ring(settings.signing_key_path, settings.retired_keys_dir)
        genuine, lines = check_pdf(pdf, keys)
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(lines))
    return 0 if genuine else 1


if __name__ == "__main__":
    sys.exit(main())
