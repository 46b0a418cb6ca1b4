"""Error pages in the user's language; never a stack trace."""
from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Please check what you sent and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have been moved or removed.")),
    405: (_l("Method not allowed"), _l("This page cannot be used that way.")),
    413: (_l("File too large"), _l("What you sent is larger than the hub accepts. Go back: what you typed is "
                                    "still in the form; remove or shrink the file and send it again.")),
    429: (_l("Too many attempts"), _l("You have tried this too often. Please wait a moment and try again.")),
    500: (_l("Something went wrong"),
          _l("An unexpected error happened on our side. Nothing you saved before was lost; please try again.")),
}


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, detail: str | None = None, retry_after: str | None = None):
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if wants_json():
        return jsonify(error=str(title), message=str(detail or message)), code
    return render_template("errors/error.html", code=code, title=title, message=message,
                           detail=detail, retry_after=retry_after), code


def _limit_window_seconds(error) -> int:
    """The length of the rate-limit window that was exceeded (Flask-Limiter)."""
    try:
        return int(error.limit.limit.get_expiry())
    except AttributeError:
        return 60


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        from flask_babel import gettext as _
        return render_error(400, _("Your form expired or was sent from another page. Go back, reload the page and "
                                   "send it again."))

    @app.errorhandler(429)
    def too_many(error):
        from flask_babel import ngettext
        seconds = _limit_window_seconds(error)
        response = make_response(render_error(
            429, ngettext("Please wait %(num)d second before trying again.",
                          "Please wait %(num)d seconds before trying again.", seconds), retry_after=str(seconds)))
        response.headers["Retry-After"] = str(seconds)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error):
        """Unhandled exceptions arrive here as InternalServerError (Flask has logged
        them); tests set PROPAGATE_EXCEPTIONS and see the traceback instead."""
        if error.code and error.code < 400:
            return error
        if (error.code or 500) >= 500:
            db.session.rollback()
        return render_error(error.code or 500)
