"""Several application hosts share one database and keep a search index each: a post
written through one host is found on another, and a host added later builds its index
from the database without stopping the others (on PostgreSQL in CI, as in production;
on SQLite the two instance folders share one database file)."""
from __future__ import annotations

from hub.search import indexer as indexer_module
from hub.search import worker
from tests import factories
from tests.conftest import TEST_PASSWORD
from tests.web.forum_helpers import seed
from tests.web.search_helpers import search


def _host(make_app, tmp_path, name: str, indexer: str):
    host = make_app(INSTANCE_PATH=str(tmp_path / name), SEARCH_INDEXER=indexer)
    with host.app_context():
        indexer_module.bring_up_to_date()  # what `hub serve` does before it serves
    return host


def _member_on(host, email: str):
    client = host.test_client()
    assert client.post("/login", data={"email": email, "password": TEST_PASSWORD}).status_code == 302
    return client


def test_a_post_on_one_host_is_found_on_the_other(make_app, tmp_path):
    # Host A drains right after its own commits; host B only by polling the shared outbox
    # (its worker thread calls drain_now every SEARCH_POLL_SECONDS; here the test calls it).
    host_a = _host(make_app, tmp_path, "host-a", "inline")
    with host_a.app_context():
        seed()
        email = factories.make_member(display_name="Host A author").email
    host_b = _host(make_app, tmp_path, "host-b", "off")
    reader_b = _member_on(host_b, email)
    assert search(reader_b, "onboarding carpenters").total == 0

    writer = _member_on(host_a, email)
    response = writer.post("/forum/f/general/new", data={
        "title": "Cross-border onboarding checklist", "language": "en", "post": "1",
        "body": "Our onboarding checklist for newly arrived carpenters, shared for comments."},
        content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Cross-border onboarding checklist" in search(writer, "onboarding carpenters").titles
    assert search(reader_b, "onboarding carpenters").total == 0  # B has not polled yet

    assert worker.drain_now(host_b) >= 1  # B's poll: the outbox rows past B's own position
    assert "Cross-border onboarding checklist" in search(reader_b, "onboarding carpenters").titles
    assert (tmp_path / "host-a" / "search-index").is_dir() and (tmp_path / "host-b" / "search-index").is_dir()

    host_c = _host(make_app, tmp_path, "host-c", "off")  # a host added while the others serve
    assert "Cross-border onboarding checklist" in search(_member_on(host_c, email), "onboarding carpenters").titles
