"""Schemathesis hook module for the exchange service: signs every request as the contract
says (X-FRT-Key, X-FRT-Timestamp, X-FRT-Signature), as an agency's system would.

Loaded by .ci/schemathesis with SCHEMATHESIS_HOOKS=.ci/frt_sign.py.

Signature = hex HMAC-SHA256(secret, METHOD \n path?query \n timestamp \n hex SHA-256(body bytes)).

Signing happens at the last point before the bytes hit the socket: `requests.adapters.HTTPAdapter.send`
receives the final `PreparedRequest`, so `request.path_url` / `request.body` are exactly what goes on the
wire (after Schemathesis serialization, query encoding, multipart boundaries, auth, redirects, retries).
This also covers requests Schemathesis sends outside `before_call` (start-up probes, coverage-phase control
requests, auth probes); every transmission, including retries and redirect hops, gets a fresh signature.

Env:
  FRT_EXCHANGE_KEY, FRT_EXCHANGE_SECRET  (required)
  FRT_SIGN_HOSTS    optional comma-separated "host" or "host:port" list; if set, only those are signed
  FRT_MAX_BACKDATE  optional, max seconds a timestamp may be back-dated to stay unique (default 250)
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from urllib.parse import urlsplit

import requests.adapters

KEY = os.environ["FRT_EXCHANGE_KEY"]
SECRET = os.environ["FRT_EXCHANGE_SECRET"].encode()
MAX_BACKDATE = int(os.environ.get("FRT_MAX_BACKDATE", "250"))
SIGN_HOSTS = {h.strip().lower() for h in os.environ.get("FRT_SIGN_HOSTS", "").split(",") if h.strip()}

# The server refuses a signature it has seen. A signature is determined by (method, path, body hash, timestamp),
# so identical requests need distinct timestamps: hand out, per identical request, the newest second not yet used,
# back-dating at most MAX_BACKDATE seconds (waiting if the whole window is used up).
_used: dict[tuple[str, str, str], set[int]] = {}
_lock = threading.Lock()
_last_sweep = 0


def _unique_timestamp(fingerprint: tuple[str, str, str]) -> int:
    global _last_sweep
    while True:
        with _lock:
            now = int(time.time())
            if now - _last_sweep > 60:  # drop fingerprints whose timestamps all fell out of the window
                for fp in [fp for fp, ts_set in _used.items() if max(ts_set, default=0) < now - MAX_BACKDATE]:
                    del _used[fp]
                _last_sweep = now
            used = _used.setdefault(fingerprint, set())
            used.difference_update([t for t in used if t < now - MAX_BACKDATE])  # forget expired ones
            for ts in range(now, now - MAX_BACKDATE - 1, -1):
                if ts not in used:
                    used.add(ts)
                    return ts
        time.sleep(1)


def _body_bytes(request: requests.PreparedRequest) -> bytes:
    body = request.body
    if body is None:
        return b""
    if isinstance(body, str):
        # Pin the encoding ourselves so the signed bytes are the sent bytes.
        body = body.encode("utf-8")
        request.body = body
        request.headers["Content-Length"] = str(len(body))
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"frt_sign: cannot sign a streamed request body ({type(body).__name__})")


def _should_sign(request: requests.PreparedRequest) -> bool:
    if not SIGN_HOSTS:
        return True
    parts = urlsplit(request.url)
    host = (parts.hostname or "").lower()
    return host in SIGN_HOSTS or f"{host}:{parts.port}" in SIGN_HOSTS


def sign(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """Add X-FRT-* headers to a prepared request, in place."""
    method = request.method.upper()
    path = request.path_url  # path + "?" + query, exactly as it goes into the request line
    body_hash = hashlib.sha256(_body_bytes(request)).hexdigest()
    ts = str(_unique_timestamp((method, path, body_hash)))
    message = f"{method}\n{path}\n{ts}\n{body_hash}".encode()
    request.headers["X-FRT-Key"] = KEY
    request.headers["X-FRT-Timestamp"] = ts
    request.headers["X-FRT-Signature"] = hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    return request


_original_send = requests.adapters.HTTPAdapter.send

if not getattr(_original_send, "_frt_signed", False):  # don't wrap twice if the module is loaded again

    def _signing_send(self, request, *args, **kwargs):
        if _should_sign(request):
            sign(request)
        return _original_send(self, request, *args, **kwargs)

    _signing_send._frt_signed = True
    requests.adapters.HTTPAdapter.send = _signing_send
