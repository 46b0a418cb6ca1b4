"""The index stays in step with the database and never costs a save: the outbox,
a busy or broken index, rebuild and consistency check, pruning, several processes."""
from __future__ import annotations

import multiprocessing
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.database import utcnow
from hub.extensions import db
from hub.search import indexer, store
from hub.search.models import SearchOutbox
from tests import factories
from tests.conftest import POSTGRES_URL
from tests.web.forum_helpers import forum, login_as, reply, seed, topic_with_replies
from tests.web.search_helpers import course_with_lesson, lesson, search
from tests.writer_lock import writer_lock_is_free


def pending() -> int:
    ix = store.open_index()
    with ix.searcher() as searcher:
        mark = store.read_meta(searcher)["mark"]
    return db.session.scalar(select(func.count(SearchOutbox.id)).where(SearchOutbox.id > mark))


def corrupt(path: Path) -> None:
    for file in path.iterdir():
        file.write_bytes(b"\x00garbage" * 10)


def test_outbox_rows_share_the_saving_transaction(app):
    course = factories.make_course("outbox")
    before = db.session.scalar(select(func.count(SearchOutbox.id)))
    lesson_obj = lesson(course, "First", "walrus")
    rows = list(db.session.scalars(select(SearchOutbox.entity).order_by(SearchOutbox.id.desc()).limit(3)))
    assert f"lesson:{lesson_obj.id}" in rows
    lesson_obj.title = "Renamed"
    db.session.flush()
    assert db.session.scalar(select(func.count(SearchOutbox.id))) > before + 1
    db.session.rollback()  # the change and its outbox row go together
    count = db.session.scalar(select(func.count(SearchOutbox.id)))
    lesson_obj = db.session.get(type(lesson_obj), lesson_obj.id)
    lesson_obj.position = 5  # a field search does not use: no row
    db.session.commit()
    assert db.session.scalar(select(func.count(SearchOutbox.id))) == count


def test_a_busy_index_never_blocks_or_fails_a_save(app, client, make_user):
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Topic")
    login_as(client, author)
    holder = store.open_index().writer()  # another process is writing
    try:
        assert reply(client, topic.id, "The walrus reply").status_code == 302
        assert indexer.drain() == 0  # gives up at once instead of waiting
        assert pending() >= 1
    finally:
        holder.cancel()
    assert indexer.drain() >= 1 and pending() == 0
    assert search(client, "walrus").total == 1


def test_a_corrupt_index_is_rebuilt_and_search_never_fails(app, client, make_user):
    course_with_lesson("corrupt", "Walrus lesson", "walrus")
    assert search(client, "walrus").total == 1
    store.forget_searcher()
    corrupt(store.index_path())
    found = search(client, "walrus")  # the indexer rebuilds it (inline here), the page asks again
    assert found.status == 200 and found.total == 1
    assert indexer.check().consistent


def test_an_index_that_cannot_be_built_degrades_search_and_keeps_saves(make_app, make_user, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    app = make_app(SEARCH_INDEX_PATH=str(blocker / "index"))
    with app.app_context():
        seed()
        author = make_user()
        topic = topic_with_replies(forum("general"), author, "Topic")  # saved though indexing fails
        client = app.test_client()
        login_as(client, author)
        assert reply(client, topic.id, "Still saved").status_code == 302
        found = search(client, "saved")
        assert found.status == 503 and "Search is not available" in found.html


def test_missing_index_with_indexer_off_says_so(make_app):
    app = make_app(SEARCH_INDEXER="off")
    with app.app_context():
        shutil.rmtree(store.index_path(), ignore_errors=True)
        store.forget_searcher()
        found = search(app.test_client(), "walrus")
        assert found.status == 503 and "Search is not available" in found.html


def test_an_index_of_another_schema_version_is_rebuilt(app, client, monkeypatch):
    course_with_lesson("versions", "Walrus lesson", "walrus")
    store.forget_searcher()
    monkeypatch.setattr(store, "SCHEMA_VERSION", store.SCHEMA_VERSION + 1)
    with pytest.raises(store.IndexUnavailable):
        store.open_index()
    assert search(client, "walrus").total == 1
    store.open_index()  # rebuilt with the new version


def test_rebuild_command_and_consistency_check(app, runner):
    _, item = course_with_lesson("checked", "Walrus lesson", "walrus")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0 and "Indexed" in result.output
    writer = store.open_index().writer()
    writer.delete_by_term("entity", f"lesson:{item.id}")
    writer.commit()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1 and f"missing: lesson:{item.id}" in result.output
    result = runner.invoke(args=["search", "check", "--repair"])
    assert result.exit_code == 0 and "repaired" in result.output
    assert runner.invoke(args=["search", "check"]).output.strip() == "The index matches the database."
    assert "rows waiting" in runner.invoke(args=["search", "status"]).output


def test_old_rows_are_pruned_and_an_index_that_missed_them_is_rebuilt(app, monkeypatch):
    course_with_lesson("pruning", "Walrus lesson", "walrus")
    old = utcnow() - timedelta(days=30)
    db.session.execute(SearchOutbox.__table__.update().values(created_at=old))
    db.session.commit()
    monkeypatch.setattr(indexer, "_last_prune", 0.0)
    indexer._maybe_prune()
    entities = list(db.session.scalars(select(SearchOutbox.entity)))
    assert len(entities) == 1 and entities[0].startswith("__pruned__:")
    # An index whose mark is below the pruned rows must be rebuilt, not trusted.
    writer = store.open_index().writer()
    writer.delete_by_term("key", store.META_KEY)
    writer.add_document(**store.meta_document(0))
    writer.commit()
    rebuilt = []
    monkeypatch.setattr(indexer, "rebuild", lambda **kw: rebuilt.append(kw) or 0)
    indexer.drain()
    assert rebuilt


def _post_in_own_process(config: dict, author_id: int, topic_id: int, words: list[str]) -> None:
    from hub import create_app
    from hub.accounts.models import User
    from hub.forum import services
    from hub.forum.models import Topic

    app = create_app(config)
    with app.app_context():
        for word in words:
            services.reply(db.session.get(Topic, topic_id), db.session.get(User, author_id), f"Reply {word}", "en")
            db.session.commit()  # each commit drains inline, or leaves it to whoever holds the lock


def test_several_processes_posting_at_once_lose_nothing(app, make_user):
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Busy topic")
    words = [[f"zq{p}x{i}" for i in range(12)] for p in range(3)]
    config = {k: app.config[k] for k in ("SECRET_KEY", "INSTANCE_PATH", "SERVER_NAME", "DATABASE_URL",
                                         "SEARCH_INDEX_PATH", "SEARCH_INDEXER", "TESTING", "RATELIMIT_ENABLED")}
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_post_in_own_process, args=(config, author.id, topic.id, w)) for w in words]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    db.session.commit()  # end this test's read snapshot, taken before the processes wrote
    indexer.drain()  # whatever a process left to the lock holder
    store.forget_searcher()
    with app.test_request_context():
        found = store.searcher()
        for word in (w for batch in words for w in batch):
            assert found.doc_frequency("spell", word) == 1, word
    assert indexer.check().consistent


@pytest.mark.skipif(bool(POSTGRES_URL), reason="the writer lock is SQLite's")
def test_building_documents_holds_no_writer_lock(app, client, make_user, monkeypatch):
    """Replies and quiz saves queue on SQLite's writer lock; the indexer reads rows and
    builds documents (the slow part) in read transactions, so it never makes them wait."""
    from hub.search.registry import SOURCES

    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Topic")
    database_file = db.engine.url.database
    seen = []
    source = SOURCES["post"]
    original = source.documents

    def documents(ids):
        seen.append(writer_lock_is_free(database_file))
        return original(ids)

    monkeypatch.setattr(source, "documents", documents)
    login_as(client, author)
    holder = store.open_index().writer()  # the reply's own inline drain gives way
    try:
        assert reply(client, topic.id, "A reply about the walrus").status_code == 302
    finally:
        holder.cancel()
    with app.test_request_context("/", method="POST"):  # as in a worker after a reply
        assert indexer.drain() >= 1
    assert seen and all(seen)


def test_a_follower_process_indexes_what_the_workers_report(make_app, make_user):
    """``hub serve``'s mode: the follower drains when a worker reports a save; the
    worker starts no indexer thread of its own."""
    import threading

    from hub.search import worker

    app = make_app(SEARCH_INDEXER="thread", SEARCH_POLL_SECONDS=60)  # only a wake-up makes it drain soon
    app.config["SEARCH_INDEXER"] = "process"  # as hub serve does once its follower listens
    with app.app_context():
        seed()
        author = make_user()
        topic = topic_with_replies(forum("general"), author, "Topic")
        assert not worker.wake_follower(app)  # nobody listens yet
        stop = threading.Event()
        follower = threading.Thread(target=worker.follow, args=(app, None, stop), daemon=True)
        follower.start()
        threads_before = worker._state["thread"]
        try:
            assert wait_for(lambda: worker.wake_follower(app))
            client = app.test_client()
            login_as(client, author)
            assert reply(client, topic.id, "The narwhal reply").status_code == 302
            assert wait_for(lambda: search(client, "narwhal").total == 1)
            assert worker._state["thread"] is threads_before  # requests started no thread of their own
        finally:
            stop.set()
            worker.wake_follower(app)
            follower.join(10)


def test_without_a_follower_a_worker_indexes_in_its_own_thread(make_app, make_user):
    from hub.search import worker

    app = make_app(SEARCH_INDEXER="process", SEARCH_POLL_SECONDS=0.2)
    worker.stop_thread()  # none left by another test: this one must start its own
    with app.app_context():
        seed()
        author = make_user()
        topic = topic_with_replies(forum("general"), author, "Topic")
        client = app.test_client()
        login_as(client, author)
        try:
            assert reply(client, topic.id, "The orca reply").status_code == 302
            assert worker._running_here()
            assert wait_for(lambda: search(client, "orca").total == 1)
        finally:
            worker.stop_thread()


def wait_for(condition, seconds: float = 15) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_after_a_commit_only_the_new_segment_is_filtered_again(app, client, make_user, monkeypatch):
    """Permission filters are kept per index segment: a save adds a segment, and the
    next search reads the permissions of that segment's documents only."""
    seed()
    author = make_user()
    topic_with_replies(forum("general"), author, "Walrus topic")
    login_as(client, author)
    computed = []
    original = store._segment_docs
    monkeypatch.setattr(store, "_segment_docs", lambda sub, query: computed.append(sub) or original(sub, query))
    assert search(client, "walrus").total >= 1
    assert computed  # the first search filters every segment
    writer = store.open_index().writer()
    writer.add_document(key="extra", entity="post:999999", doc_type="forum_post", scope="members", gate="open",
                        language="en", body_en="walrus again")
    writer.commit(merge=False)  # a segment of its own, the others untouched
    computed.clear()
    assert search(client, "walrus").total >= 2
    assert len(computed) == 1 and computed[0].doc_count_all() == 1


def test_the_follower_gathers_a_stream_of_saves_into_few_drains(make_app, monkeypatch):
    """Every drain opens the index and commits a segment: saves reported in a stream are
    applied at most once per SEARCH_GATHER_SECONDS, the first one at once."""
    import threading
    import time

    from hub.search import worker

    app = make_app(SEARCH_POLL_SECONDS=60, SEARCH_GATHER_SECONDS=0.5)
    drains: list[float] = []
    monkeypatch.setattr(worker, "drain_now", lambda app, gathered=False: drains.append(time.monotonic()) or 0)
    stop = threading.Event()
    follower = threading.Thread(target=worker.follow, args=(app, None, stop), daemon=True)
    follower.start()
    try:
        assert wait_for(lambda: worker.wake_follower(app) and bool(drains))
        for _ in range(30):  # 0.6 s of saves
            worker.wake_follower(app)
            time.sleep(0.02)
        time.sleep(0.6)
    finally:
        stop.set()
        worker.wake_follower(app)
        follower.join(10)
    assert 2 <= len(drains) <= 4
    assert all(later - earlier >= 0.45 for earlier, later in zip(drains, drains[1:], strict=False))


def test_a_save_made_while_another_drain_holds_the_index_is_applied_by_that_drain(app, client, make_user,
                                                                                 monkeypatch):
    """A save whose own drain finds the index locked leaves its rows to the drain that
    holds it, which looks again before it lets go (in "inline" and "thread" modes
    nothing else would come for them)."""
    seed()
    author = make_user()
    topic = topic_with_replies(forum("general"), author, "Sea cows")
    login_as(client, author)
    other = app.test_client()
    login_as(other, author)
    original = indexer.apply
    saved_meanwhile = []

    def apply_while_another_saves(writer, entities, found=None):
        if not saved_meanwhile:
            saved_meanwhile.append(reply(other, topic.id, "The dugong reply").status_code)
        return original(writer, entities, found)

    monkeypatch.setattr(indexer, "apply", apply_while_another_saves)
    assert reply(client, topic.id, "The manatee reply").status_code == 302
    assert saved_meanwhile == [302]
    db.session.commit()
    assert pending() == 0
    assert search(client, "dugong").total == 1 and search(client, "manatee").total == 1
