"""The one place that turns a failed background task into words an admin can act on.

Workers raise whatever the network or the engine raised; `describe_error` names what happened and
what to do, and never repeats a secret (messages are built here, not copied from request objects).
"""

from __future__ import annotations


def describe_error(error: BaseException | None) -> str:
    """A readable message for a worker's exception."""
    if error is None:
        return "The check stopped for an unknown reason. Select Check again."
    from ally_wizard.canvas.client import CanvasError  # only on this error path: it imports httpx

    if isinstance(error, CanvasError):
        return error.message  # the engine's own sentence, which never holds a secret
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a dependency
        httpx = None  # type: ignore[assignment]
    if httpx is not None:
        if isinstance(error, httpx.ConnectError):
            host = _host(error)
            return (
                f"Could not connect to Canvas{host}. Check the Canvas address on step 2, and that this "
                "computer can reach it (VPN, proxy or firewall)."
            )
        if isinstance(error, httpx.TimeoutException):
            return f"Canvas{_host(error)} did not answer in time. Try again; if it keeps happening, check the network."
        if isinstance(error, httpx.TooManyRedirects):
            return "Canvas kept redirecting. Check that the Canvas address on step 2 is the institution's Canvas."
        if isinstance(error, httpx.HTTPError):
            return f"The connection to Canvas failed ({type(error).__name__}). Try again."
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
        return f"A system error stopped the check ({reason}). Try again."
    message = str(error).splitlines()[0] if str(error) else ""
    name = type(error).__name__
    return f"The check stopped unexpectedly ({name}{': ' + message if message else ''}). Select Check again."


def _host(error: BaseException) -> str:
    try:
        request = error.request  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):
        return ""
    host = getattr(getattr(request, "url", None), "host", "")
    return f" at {host}" if host else ""
