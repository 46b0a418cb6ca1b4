"""One place for configuration: defaults here, overrides from ``HUB_*`` environment
variables, and a dict passed to ``create_app`` (tests)."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .ratelimit import SCHEME as RATELIMIT_SCHEME
from .ratelimit import storage_url as ratelimit_storage_url

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = str(ROOT / "migrations")
TRANSLATIONS_DIR = str(ROOT / "translations")

# Locales with a UI catalogue in translations/. Content may exist in more languages.
DEFAULT_LANGUAGES = ["en", "es", "da", "it", "el", "fr", "de", "pt", "nl", "cs"]


class ConfigError(RuntimeError):
    """The configuration cannot run; the message is one line meant for the operator."""


class Config:
    HUB_ENV = "development"
    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # default: SQLite in the instance folder
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    SQLITE_BUSY_TIMEOUT_MS = 30_000

    LANGUAGES = DEFAULT_LANGUAGES
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    WTF_CSRF_TIME_LIMIT = 3600 * 8

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30

    RATELIMIT_ENABLED = True
    # Pages of visitors who are not logged in, kept per worker (hub/page_cache.py): how
    # long a stored page may be served (0 turns the cache off) and how many are kept.
    PAGE_CACHE_SECONDS = 60
    PAGE_CACHE_SIZE = 500
    QUERY_COUNT_HEADER = False  # X-Query-Count on every response (the load benchmark turns it on)
    # hub-database:// = counters in the site's database (PostgreSQL) or a side file
    # beside it (SQLite), shared by every worker; see hub/ratelimit.py and docs/operations.md.
    RATELIMIT_STORAGE_URI = "hub-database://"
    RATELIMIT_STRATEGY = "fixed-window"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute;50 per hour"
    REGISTER_RATE_LIMIT = "5 per minute;30 per hour"
    RESET_RATE_LIMIT = "5 per minute;20 per hour"

    # Per-account lockout after repeated failed logins (as Moodle's lockoutthreshold,
    # lockoutwindow, lockoutduration); the owner gets a mail with an unlock link.
    LOGIN_LOCKOUT_THRESHOLD = 10  # failed logins in the window; 0 turns lockout off
    LOGIN_LOCKOUT_WINDOW = 30 * 60  # seconds a failed login counts toward the threshold
    LOGIN_LOCKOUT_DURATION = 30 * 60  # seconds a locked account stays locked
    ACCOUNT_UNLOCK_MAX_AGE = 24 * 3600

    # Reverse proxies in front of the hub whose X-Forwarded-For/-Proto/-Host are
    # believed (werkzeug's ProxyFix); rate limits count per client address.
    TRUSTED_PROXIES = 0

    PASSWORD_MIN_LENGTH = 10
    PASSWORD_RESET_MAX_AGE = 3600
    # Roles that must turn on two-step verification before using the site (ASVS level 2).
    TWO_FACTOR_REQUIRED_ROLES: tuple[str, ...] = ("admin",)
    EMAIL_CONFIRM_MAX_AGE = 3 * 86400  # seconds a registration's confirmation link works

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_SENDER = "Inclusion Hub <no-reply@localhost>"

    CONTENT_PATH: str | None = None  # default: content/ next to the hub package
    SEARCH_INDEX_PATH: str | None = None  # default: <instance>/search-index; one per host
    SEARCH_INDEXER = "thread"  # who applies the outbox: "thread" per server process, "inline", "off"
    SEARCH_POLL_SECONDS = 2.0  # the thread also looks for rows other processes wrote
    SEARCH_GATHER_SECONDS = 1.0  # the follower applies a stream of saves at most once a second
    SEARCH_LOCK_TIMEOUT = 0.0  # a drainer never waits: whoever holds the index lock drains
    SEARCH_OUTBOX_GAP_SECONDS = 60  # how long a gap in outbox ids may wait for its commit
    SEARCH_OUTBOX_RETENTION_DAYS = 7  # older rows are pruned; an index asleep longer is rebuilt
    SEARCH_RATE_LIMIT = "120/minute"
    UPLOAD_PATH: str | None = None  # default: <instance>/uploads
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024
    SITE_NAME = "Inclusion Hub"
    COURSES_PER_PAGE = 24  # course cards per catalogue page
    PUBLIC_URL: str | None = None  # absolute URLs in mails, certificates and badges


def load_config(app, overrides: dict | None) -> None:
    """Fill ``app.config`` from defaults, ``HUB_*`` variables, then ``overrides``."""
    app.config.from_object(Config)
    app.config.from_prefixed_env(prefix="HUB")
    for key in ("LANGUAGES", "TWO_FACTOR_REQUIRED_ROLES"):  # also given as "a,b" in the environment
        if isinstance(app.config.get(key), str):
            app.config[key] = [x.strip() for x in app.config[key].split(",") if x.strip()]
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    production = app.config["HUB_ENV"] == "production"

    if not app.config.get("SECRET_KEY"):
        if production:
            raise ConfigError("HUB_ENV=production needs HUB_SECRET_KEY: set it to a long random string.")
        app.config["SECRET_KEY"] = _development_secret(instance / "secret_key")
    if production:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True

    url = app.config.get("DATABASE_URL") or f"sqlite:///{instance / 'hub.sqlite'}"
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if str(app.config.get("RATELIMIT_STORAGE_URI", "")).startswith(RATELIMIT_SCHEME):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        options.setdefault("url", ratelimit_storage_url(url, str(instance)))
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options

    app.config["CONTENT_PATH"] = app.config.get("CONTENT_PATH") or str(ROOT / "content")
    app.config["SEARCH_INDEX_PATH"] = app.config.get("SEARCH_INDEX_PATH") or str(instance / "search-index")
    app.config["UPLOAD_PATH"] = app.config.get("UPLOAD_PATH") or str(instance / "uploads")


def _development_secret(path: Path) -> str:
    """A random secret made once per instance folder, so sessions survive restarts."""
    if path.exists():
        return path.read_text().strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secret)
    return secret
