"""Search at scale: the hub's Whoosh index beside an SQLite FTS5 index of the same
documents, in one run.

    .venv/bin/python bench/search.py [--posts 20000 100000] [--queries 200]

For each size it builds a throwaway site (SQLite, the shipped content) and adds forum
posts made of real sentences from the shipped lessons (fixed seed), then measures:

- bulk indexing: ``hub search rebuild`` (every document of the site) in documents/s;
- save to findable: a reply committed, the outbox drained (what the indexer thread does
  right after the commit), until the searcher finds it;
- query latency p50/p95 of ``services.run`` for a member (permission filter, type
  counts, highlighted snippets of the first page) for one-term, two-term and phrase
  queries;
- the same documents in an FTS5 table (porter stemmer, diacritics removed): insert rate
  and p50/p95 of a ranked top-10 with a total count, and the ratios.

It prints a Markdown table and writes it to bench/results/search-<date>.md. Ratios
are what to compare between runs; absolute numbers depend on the machine."""
from __future__ import annotations

import argparse
import platform
import random
import re
import sqlite3
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from hub import create_app

QUERIES = {
    "one term": ["employer", "interview", "language", "trust", "housing", "mentor", "training", "family"],
    "two terms": ["employer training", "language course", "first interview", "trust family", "job mentor",
                  "housing support"],
    "phrase": ['"first interview"', '"job coach"', '"language course"', '"work experience"', '"social worker"'],
}


def sentences(app) -> list[str]:
    from sqlalchemy import select

    from hub.courses.models import Lesson
    from hub.extensions import db
    from hub.markdown import plain_text

    found = []
    for html in db.session.scalars(select(Lesson.body_html)):
        found += [s.strip() for s in re.split(r"(?<=[.!?])\s+", plain_text(html)) if 40 < len(s) < 300]
    return found


def add_posts(count: int, seed: int = 7) -> None:
    """``count`` posts in topics of 50, written in bulk (no outbox: the rebuild reads them)."""
    from sqlalchemy import insert, select

    from hub.accounts.models import User
    from hub.database import utcnow
    from hub.extensions import db
    from hub.forum.models import Forum, Post, Topic

    rng = random.Random(seed)
    pool = sentences(None)
    users = list(db.session.scalars(select(User.id)))
    forums = list(db.session.scalars(select(Forum.id).where(Forum.course_id.is_(None))))
    now = utcnow()
    topics = []
    for t in range(max(1, count // 50)):
        topics.append(dict(forum_id=forums[t % len(forums)], user_id=rng.choice(users), title=rng.choice(pool)[:120],
                           language="en", created_at=now, last_post_at=now, last_position=50))
    db.session.execute(insert(Topic), topics)
    topic_ids = list(db.session.scalars(select(Topic.id).order_by(Topic.id)))
    rows = []
    for n in range(count):
        body = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 6)))
        rows.append(dict(topic_id=topic_ids[n // 50 % len(topic_ids)], user_id=rng.choice(users), position=n % 50 + 1,
                         body_md=body, body_html=f"<p>{body}</p>", language="en",
                         created_at=now - timedelta(minutes=count - n)))
        if len(rows) == 5000:
            db.session.execute(insert(Post), rows)
            rows.clear()
    if rows:
        db.session.execute(insert(Post), rows)
    db.session.commit()


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def whoosh_queries(app, user, repeats: int) -> dict[str, tuple[float, float]]:
    from hub.search import services

    results = {}
    with app.test_request_context("/search"):
        for label, queries in QUERIES.items():
            samples = []
            for i in range(repeats):
                started = time.perf_counter()
                page = services.run(user, services.Request(q=queries[i % len(queries)]))
                samples.append(time.perf_counter() - started)
                assert not page.unavailable
            results[label] = percentiles(samples)
    return results


def fts_build(database: Path, docs: list[tuple[str, str]]) -> tuple[sqlite3.Connection, float]:
    connection = sqlite3.connect(database)
    connection.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, "
                       "tokenize = 'porter unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    connection.executemany("INSERT INTO docs (title, body) VALUES (?, ?)", docs)
    connection.commit()
    return connection, len(docs) / (time.perf_counter() - started)


def fts_queries(connection: sqlite3.Connection, repeats: int) -> dict[str, tuple[float, float]]:
    results = {}
    for label, queries in QUERIES.items():
        samples = []
        for i in range(repeats):
            match = queries[i % len(queries)]
            started = time.perf_counter()
            connection.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
            connection.execute("SELECT title, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
                               "WHERE docs MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
            samples.append(time.perf_counter() - started)
        results[label] = percentiles(samples)
    return results


def save_to_findable(app, author, topic, samples: int) -> tuple[float, float]:
    """Commit a reply, drain, and time until the searcher finds its unique word."""
    from hub.extensions import db
    from hub.forum import services as forum_services
    from hub.search import store
    from hub.search.indexer import drain

    app.config["SEARCH_INDEXER"] = "off"  # the bench plays the indexer thread itself
    timings = []
    for n in range(samples):
        word = f"benchword{n}x"
        forum_services.reply(topic, author, f"A reply with {word} in it.", "en")
        db.session.commit()
        started = time.perf_counter()
        drain()
        with app.test_request_context():
            assert store.searcher().doc_frequency("spell", word) == 1
        timings.append(time.perf_counter() - started)
    app.config["SEARCH_INDEXER"] = "inline"
    return percentiles(timings)


def run_size(posts: int, repeats: int) -> dict:
    from sqlalchemy import select

    from hub.accounts import services as accounts
    from hub.commands import prepare_site
    from hub.extensions import db
    from hub.forum.models import Topic
    from hub.search import indexer, store

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False,
                          "SEARCH_INDEXER": "inline", "SERVER_NAME": "bench.local"})
        with app.app_context():
            prepare_site(echo=lambda *_: None)
            member = accounts.create_admin("bench@example.org", "bench password that is long", "Bench")
            member.role = "learner"  # a member's permission filter, not an administrator's
            db.session.commit()
            add_posts(posts)
            started = time.perf_counter()
            documents = indexer.rebuild()
            rate = documents / (time.perf_counter() - started)
            store.forget_searcher()
            whoosh = whoosh_queries(app, member, repeats)
            topic = db.session.scalar(select(Topic).order_by(Topic.id.desc()).limit(1))
            findable = save_to_findable(app, member, topic, 30)
            with app.test_request_context():
                found = store.searcher()
                docs = [(f.get("title", ""), f.get("body", "")) for f in found.all_stored_fields()
                        if f.get("doc_type") != "__meta__"]
            connection, fts_rate = fts_build(Path(folder) / "fts.sqlite", docs)
            fts = fts_queries(connection, repeats)
            connection.close()
    return dict(posts=posts, documents=documents, rate=rate, fts_rate=fts_rate, whoosh=whoosh, fts=fts,
                findable=findable)


def table(results: list[dict]) -> str:
    lines = ["| documents | step | Whoosh (hub) | SQLite FTS5 | hub / FTS5 |", "|---|---|---|---|---|"]
    for r in results:
        size = f"{r['documents']:,} ({r['posts']:,} posts)"
        lines.append(f"| {size} | bulk indexing | {r['rate']:,.0f} docs/s | {r['fts_rate']:,.0f} docs/s | "
                     f"{r['rate'] / r['fts_rate']:.3f} |")
        lines.append(f"| {size} | save → findable p50 / p95 | {r['findable'][0]:.0f} / {r['findable'][1]:.0f} ms "
                     f"| – | – |")
        for label in QUERIES:
            (wp50, wp95), (fp50, fp95) = r["whoosh"][label], r["fts"][label]
            lines.append(f"| {size} | {label} p50 / p95 | {wp50:.1f} / {wp95:.1f} ms | {fp50:.1f} / {fp95:.1f} ms "
                         f"| {wp95 / fp95:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--posts", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--queries", type=int, default=200, help="queries per kind and size")
    args = parser.parse_args()
    results = [run_size(n, args.queries) for n in args.posts]
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, {platform.system()}"
    report = (f"# Search benchmark, {time.strftime('%Y-%m-%d')}\n\nMachine: {machine}. Whoosh timings are "
              f"`search.services.run` for a member: permission filter, type counts, first page with highlighted "
              f"snippets. FTS5: count plus ranked top 10 with snippets.\n\n{table(results)}\n")
    print(report)
    out = Path(__file__).parent / "results" / f"search-{time.strftime('%Y-%m-%d')}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(report)


if __name__ == "__main__":
    main()
