"""Static files come with a content hash in their URL, a year-long cache lifetime, ETags
and gzip; pages come with an ETag, and a browser with a current copy gets 304."""
from __future__ import annotations

import gzip
import re

from hub.static_files import YEAR, _version, prepare_static


def _stylesheet(html: str) -> str:
    found = re.search(r'href="(/static/css/hub\.css\?v=[0-9a-f]{12})"', html)
    assert found, "the page links hub.css with its content hash"
    return found.group(1)


def test_static_files_are_versioned_cached_and_compressed(make_app):
    app = make_app()
    url = _stylesheet(app.test_client().get("/").get_data(as_text=True))
    plain = app.test_client().get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == 200 and f"max-age={YEAR}" in plain.headers["Cache-Control"]
    assert plain.headers.get("Content-Encoding") is None  # not prepared yet: the package's files as they are

    assert prepare_static(app) > 0
    assert prepare_static(app) == 0  # unchanged files are not written again
    served = make_app()  # a server started after `hub serve` prepared the files
    client = served.test_client()
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert len(zipped.data) < len(plain.data) / 2
    again = client.get(url, headers={"If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_changed_file_gets_a_new_url(tmp_path):
    (tmp_path / "site.css").write_text("body { color: black }")
    first = _version(str(tmp_path), "site.css")
    (tmp_path / "other.css").write_text("body { color: navy }")
    assert _version(str(tmp_path), "other.css") != first
    assert _version(str(tmp_path), "missing.css") == "0"


def test_pages_answer_304_when_the_browser_has_them(client):
    first = client.get("/courses/")
    assert first.status_code == 200 and first.headers.get("ETag")
    again = client.get("/courses/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/courses/", headers={"If-None-Match": '"something-else"'}).status_code == 200
