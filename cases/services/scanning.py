"""Malware scanning of uploaded documents, before anything is stored (issue 13 item 4).

`settings.DOCUMENT_SCANNER` names the scanner class. TestScanner (the default) refuses files that
contain the EICAR test string, so the refusal path is exercised everywhere; ClamAvScanner streams
the bytes to clamd with its INSTREAM command (clamd's documented protocol: "zINSTREAM\\0", chunks
each preceded by a 4-byte big-endian length, a zero length to end, then one reply line).
"""

import socket
import struct

from django.conf import settings
from django.utils.module_loading import import_string

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class ScanRefused(Exception):
    """The scanner found something (the message names it) or could not scan: the file is refused."""


class TestScanner:
    """Refuses the EICAR anti-virus test string anywhere in the file."""

    def scan(self, data: bytes) -> None:
        if EICAR in data:
            raise ScanRefused("the virus scanner found Eicar-Test-Signature")


class ClamAvScanner:
    """Asks clamd (CLAMD_HOST, CLAMD_PORT) over TCP; an unreachable clamd refuses the file (fail closed)."""

    CHUNK = 64 * 1024

    def __init__(self, host: str | None = None, port: int | None = None, timeout: float = 30.0):
        self.host = host or settings.CLAMD_HOST
        self.port = port or settings.CLAMD_PORT
        self.timeout = timeout

    def scan(self, data: bytes) -> None:
        try:
            with socket.create_connection((self.host, self.port), timeout=self.timeout) as conn:
                conn.sendall(b"zINSTREAM\0")
                for start in range(0, len(data), self.CHUNK):
                    chunk = data[start : start + self.CHUNK]
                    conn.sendall(struct.pack("!L", len(chunk)) + chunk)
                conn.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = conn.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScanRefused(f"the virus scanner could not be reached ({exc}); try again later") from exc
        text = reply.rstrip(b"\0").decode(errors="replace").strip()
        if text.endswith("OK"):
            return
        if text.endswith("FOUND"):
            raise ScanRefused(
                f"the virus scanner found {text.split(':', 1)[-1].removesuffix('FOUND').strip()}"
            )
        raise ScanRefused(f"the virus scanner answered {text!r}")


def get_scanner():
    return import_string(settings.DOCUMENT_SCANNER)()
