"""The operator token: who may publish and close oracle epochs on a served venue.

Submitting a batch needs no credentials (its proofs authorise it); the
operator's endpoints do.  ``zkats venue init`` makes a token of 32 random
bytes (:func:`secrets.token_urlsafe`) and writes it to
``DIR/operator.token``, created with ``O_CREAT|O_EXCL`` and mode 0600.  The
server keeps only its SHA-256 and compares the SHA-256 of the presented
token with :func:`hmac.compare_digest` (constant time, and the same length
whatever was sent).  Clients send it as ``Authorization: Bearer TOKEN``.

Nothing ever prints, logs or returns the token: ``zkats venue init`` names
the file, the server's errors say only "operator token required" or
"operator token rejected".
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import InputError

TOKEN_FILE = "operator.token"
#: environment variable a client may take the token from
TOKEN_ENV = "ZKATS_OPERATOR_TOKEN"


def token_path(venue_dir):
    return Path(venue_dir) / TOKEN_FILE


def create_token(venue_dir):
    """Make ``DIR/operator.token`` (mode 0600) unless it exists; return its path."""
    path = token_path(venue_dir)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path
    with os.fdopen(fd, "w") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(secrets.token_urlsafe(32) + "\n")
    return path


def read_token(path):
    """The token in ``path`` (refused if the file is readable by others)."""
    path = Path(path)
    try:
        st = path.stat()
        text = path.read_text().strip()
    except FileNotFoundError:
        raise InputError(f"{path}: no operator token file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the operator token ({err})") from None
    if st.st_mode & 0o077:
        raise InputError(
            f"{path}: operator token file must be mode 0600 (it is {st.st_mode & 0o777:o})"
        )
    if len(text) < 32 or not text.isprintable() or " " in text:
        raise InputError(f"{path}: not an operator token")
    return text


class OperatorCheck:
    """Holds the SHA-256 of the token; :meth:`check` compares in constant time."""

    def __init__(self, token):
        self._digest = hashlib.sha256(token.encode()).digest()

    @classmethod
    def from_venue(cls, venue_dir):
        return cls(read_token(create_token(venue_dir)))

    def check(self, presented):
        if not isinstance(presented, str):
            return False
        got = hashlib.sha256(presented.encode("utf-8", "surrogatepass")).digest()
        return hmac.compare_digest(got, self._digest)


def bearer(header):
    """The token of an ``Authorization: Bearer TOKEN`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()
