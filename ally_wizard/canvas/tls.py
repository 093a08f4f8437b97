"""The TLS context of a process's Canvas requests, made once and shared by its clients.

Loading the CA bundle takes tens of milliseconds, and OpenSSL releases the GIL while it reads the file,
so a command that is about to talk to Canvas calls `start_loading()` first: the bundle then loads in a
thread while the command's modules import. `context()` waits for that thread, or loads it there and then.
"""

from __future__ import annotations

import contextlib
import os
import ssl
import threading

_lock = threading.Lock()
_context: ssl.SSLContext | None = None
_loading: threading.Thread | None = None


def _make() -> ssl.SSLContext:
    """What httpx makes for `verify=True`: the bundle SSL_CERT_FILE or SSL_CERT_DIR names, else certifi's."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def context() -> ssl.SSLContext:
    """The process's TLS context (certificates always verified); raises `ssl.SSLError` or `OSError` when
    the bundle cannot be read, as httpx would."""
    global _context
    with _lock:
        if _context is None:
            _context = _make()
        return _context


def _load_quietly() -> None:
    with contextlib.suppress(Exception):  # `context()` on the caller's side raises it again, where it is handled
        context()


def start_loading() -> None:
    """Begin loading the context in a thread, if it is not loaded or loading yet."""
    global _loading
    if _context is None and _loading is None:
        _loading = threading.Thread(target=_load_quietly, name="load-ca-bundle", daemon=True)
        _loading.start()
