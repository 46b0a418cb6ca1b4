"""Static files and pages as a CDN would send them, without one.

- Static files go through WhiteNoise: ``ETag``, ``Last-Modified``, gzip variants for
  browsers that accept them, and a year-long cache lifetime. Every static URL carries a
  hash of the file's content (``?v=…``), so a changed file gets a new URL and no
  browser keeps a stale copy.
- The gzip variants are written once, by ``prepare_static`` (``hub serve`` and ``hub
  setup`` call it), into ``<instance>/static``; until then the package's own folder is
  served uncompressed.
- HTML pages get an ``ETag`` from their content: a browser that already has the page
  gets ``304 Not Modified`` instead of the page again."""
from __future__ import annotations

import hashlib
import shutil
from functools import lru_cache
from pathlib import Path

from flask import Flask, request

YEAR = 365 * 24 * 3600
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")


def compressed_folder(app: Flask) -> Path:
    return Path(app.instance_path) / "static"


def prepare_static(app: Flask) -> int:
    """Copy the static files into the instance folder with a ``.gz`` beside each text
    file; files that did not change are left alone. Returns how many were written."""
    from whitenoise.compress import Compressor

    source, target = Path(app.static_folder or ""), compressed_folder(app)
    compressor = Compressor(extensions=[], use_brotli=False, quiet=True)
    written = 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        copy = target / path.relative_to(source)
        if copy.exists() and copy.read_bytes() == path.read_bytes():
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        if path.suffix in COMPRESSIBLE:
            list(compressor.compress(str(copy)))
        written += 1
    for stale in [p for p in target.rglob("*") if p.is_file() and p.suffix != ".gz"]:
        if not (source / stale.relative_to(target)).exists():
            stale.unlink()
            Path(f"{stale}.gz").unlink(missing_ok=True)
    return written


@lru_cache(maxsize=512)
def _version(folder: str, filename: str) -> str:
    try:
        return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:12]
    except OSError:
        return "0"


def init_app(app: Flask) -> None:
    from whitenoise import WhiteNoise

    prepared = compressed_folder(app)
    root = prepared if (prepared / "css").is_dir() else Path(app.static_folder or "")
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(root), prefix=app.static_url_path,  # type: ignore[method-assign]
                              max_age=YEAR, autorefresh=app.debug)

    @app.url_defaults
    def versioned_static(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            values["v"] = _version(str(app.static_folder), values["filename"])

    @app.after_request
    def page_etag(response):
        """``ETag`` for HTML pages, and 304 when the browser's copy is current."""
        if (request.method == "GET" and response.status_code == 200 and response.mimetype == "text/html"
                and not response.direct_passthrough):
            response.add_etag()
            response.make_conditional(request)
        return response
