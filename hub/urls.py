"""Absolute public URLs for what leaves the site (PDF, QR code, badges): the
configured PUBLIC_URL when set (behind a proxy the request's host may be an
internal name), else the request's own host."""
from __future__ import annotations

from flask import current_app, has_request_context, request, url_for


def public_url(endpoint: str, **values) -> str:
    base = (current_app.config.get("PUBLIC_URL") or "").strip()
    if not base:
        return url_for(endpoint, _external=True, **values)
    base = base.rstrip("/")
    path = url_for(endpoint, **values)
    root = request.script_root if has_request_context() else ""
    if root and base.endswith(root):
        base = base[: -len(root)]
    return base + path
