"""What the post editor asks while a member writes: the live preview (JSON).

The preview goes through ``services.render_post``, the renderer and sanitiser a saved
post goes through, so what the member sees is what will be published. It is a POST
under the global CSRF check, for members only, and rate-limited per member
(FORUM_PREVIEW_RATE_LIMIT): the editor asks after each pause in typing."""
from __future__ import annotations

from flask import abort, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import limiter
from ..forms import without_nul
from ..permissions import is_member
from . import services
from .blueprint import bp


def _preview_limit() -> str:
    return str(current_app.config["FORUM_PREVIEW_RATE_LIMIT"])


def _preview_key() -> str:
    return f"forum-preview/{current_user.get_id()}"


@bp.route("/preview", methods=["POST"])
@limiter.limit(_preview_limit, key_func=_preview_key)
def preview():
    """``{"html": …}`` for the ``body`` sent; 403 for visitors, 400 when too long."""
    if not is_member(current_user):
        abort(403)
    body = without_nul(request.form.get("body") or "")
    if len(body) > services.MAX_BODY:
        return jsonify(error=_("Posts are limited to %(n)d characters.", n=services.MAX_BODY)), 400
    html = services.render_post(body).html if body.strip() else ""
    return jsonify(html=str(html))
