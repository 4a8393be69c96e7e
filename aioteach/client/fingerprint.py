"""``ssl=Fingerprint(digest)``: pinning a server's TLS certificate by its SHA-256 digest.

Theory of operation.  Ordinary TLS verification asks "did a certificate authority I trust sign
this certificate for this host name?".  Pinning asks a narrower question: "is this *the*
certificate I expect?", by comparing the SHA-256 digest of the certificate the server sent
(its DER bytes) with one you recorded earlier, for example with::

    openssl x509 -in cert.pem -outform DER | sha256sum
    hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest()

With ``ssl=Fingerprint(digest)`` the connector does not check the chain or the name (a pinned
self-signed certificate is fine), and checks the digest right after the TLS handshake, before
a byte of the request is sent.  A mismatch is ``ServerFingerprintMismatch`` and the connection
is closed.  As in aiohttp, only SHA-256 digests (32 bytes) are accepted: MD5 (16) and SHA-1
(20) are broken for this purpose and refused with a ValueError that says so.
"""
from __future__ import annotations

import hashlib
from typing import Any

from .errors import ServerFingerprintMismatch

__all__ = ["Fingerprint"]

WEAK_DIGEST_SIZES = {16: "md5", 20: "sha1"}


class Fingerprint:
    """The SHA-256 digest a server's certificate must have."""

    def __init__(self, fingerprint: bytes) -> None:
        size = len(fingerprint)
        if size in WEAK_DIGEST_SIZES:
            raise ValueError("md5 and sha1 are insecure and not supported. Use sha256.")
        if size != 32:
            raise ValueError(f"fingerprint has invalid length: {size} bytes, a SHA-256 "
                             f"digest has 32")
        self._fingerprint = bytes(fingerprint)

    @property
    def fingerprint(self) -> bytes:
        return self._fingerprint

    def check(self, transport: Any) -> None:
        """Raise ServerFingerprintMismatch unless the peer's certificate has our digest."""
        ssl_object = transport.get_extra_info("ssl_object")
        if ssl_object is None:                 # not a TLS connection: nothing to pin
            return
        got = hashlib.sha256(ssl_object.getpeercert(binary_form=True)).digest()
        if got != self._fingerprint:
            host, port, *_ = transport.get_extra_info("peername") or ("?", 0)
            raise ServerFingerprintMismatch(self._fingerprint, got, host, port)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fingerprint) and other._fingerprint == self._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"<Fingerprint sha256:{self._fingerprint.hex()}>"
