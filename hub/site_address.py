"""The address the site is reached at, for links made outside a request (the daily
forum digest sent by the scheduler or a command).

In order: ``PUBLIC_URL`` (``HUB_PUBLIC_URL``); inside a request, the address that
request came in on; Flask's ``SERVER_NAME`` when configured; else the last address an
administrator's request came in on, remembered in the instance folder (file
``public-address``). Only administrators' requests are remembered: a Host header is
whatever a client sends, and any visitor could otherwise point everyone's digest at a
site of their choosing. Loopback names (localhost, 127.0.0.1, ::1) are never
remembered: those links would lead nowhere from a member's mailbox. When nothing is
known, callers refuse to send rather than write ``localhost`` links."""
from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context, request

from .permissions import ADMIN, has_role

FILE_NAME = "public-address"
_remembered: dict[str, str] = {}  # instance path → address this process last wrote or read


class UnknownAddress(RuntimeError):
    """No public address is known: links made now would point nowhere."""


def base_url() -> str | None:
    """The site's root URL without a trailing slash, or None when unknown."""
    configured = (current_app.config.get("PUBLIC_URL") or "").strip()
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        return f"{current_app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server_name}"
    return remembered()


def require_base_url() -> str:
    """:func:`base_url`, raising :class:`UnknownAddress` instead of returning None."""
    found = base_url()
    if found is None:
        raise UnknownAddress("No public address is known for links in mail: set HUB_PUBLIC_URL "
                             "(for example https://hub.example.org), or log in once as an administrator "
                             "at the site's public address.")
    return found


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _path(app: Flask) -> Path:
    return Path(app.instance_path) / FILE_NAME


def remembered() -> str | None:
    path = _path(current_app)
    try:
        value = path.read_text().strip()
    except OSError:
        return None
    if urlsplit(value).scheme not in ("http", "https") or is_loopback(value):
        return None
    _remembered[str(path)] = value
    return value


def remember(app: Flask, url: str) -> None:
    """Write ``url`` (atomically: a reader never sees half a file) unless already known."""
    url = url.rstrip("/")
    path = _path(app)
    if _remembered.get(str(path)) == url or is_loopback(url):
        return
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=FILE_NAME + ".")
        with os.fdopen(fd, "w") as fh:
            fh.write(url + "\n")
        os.replace(tmp, path)
    except OSError:
        app.logger.warning("Could not remember the public address in %s", path)
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        return
    _remembered[str(path)] = url


def init_app(app: Flask) -> None:
    """Remember the address of administrators' requests while no PUBLIC_URL is set.
    Only requests that loaded their user anyway are looked at (no extra query)."""

    @app.after_request
    def _remember_address(response):
        if app.config.get("PUBLIC_URL") or response.status_code >= 400:
            return response
        user = g.get("_login_user")  # set by Flask-Login once the request used current_user
        if user is not None and user.is_authenticated and has_role(user, ADMIN):
            remember(app, request.host_url)
        return response
