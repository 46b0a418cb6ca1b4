"""The index on disk: its schema, its mark (the last outbox row applied, kept in the
index itself so it moves in the same commit as the documents), and one searcher per
thread, refreshed when the index changes or is swapped for a rebuilt one.

Every failure to open or read the index (missing, half-written, corrupt, built by an
older schema) becomes ``IndexUnavailable``: search shows a message, the indexer
rebuilds."""
from __future__ import annotations

import itertools
import os
import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

from flask import current_app
from whoosh import index
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema
from whoosh.idsets import BitSet, DocIdSet

from .analysis import FIELD_LANGUAGES, analyzer, word_analyzer

SCHEMA_VERSION = 6  # raise when the schema or the analysers change: the index is rebuilt
META_KEY = "__meta__"


class IndexUnavailable(Exception):
    """The index is missing, locked for a rebuild, corrupt or of an older schema."""


def build_schema() -> Schema:
    fields = dict(
        key=ID(unique=True, stored=True),
        entity=ID(stored=True, sortable=True),  # a column, so the consistency check reads it fast
        doc_type=ID(stored=True, sortable=True),  # a column: counting results per type is fast
        language=ID(stored=True),
        course=ID(stored=True),
        scope=ID(),
        gate=ID(),
        tags=KEYWORD(commas=True, lowercase=True, scorable=True, stored=True),
        countries=KEYWORD(commas=True, stored=True),
        zones=KEYWORD(commas=True, stored=True),
        date=DATETIME(stored=True, sortable=True),
        title=STORED(),
        body=STORED(),
        endpoint=STORED(),
        url_args=STORED(),
        meta=STORED(),  # only on the META_KEY document: mark, schema version, last drain
        spell=TEXT(analyzer=word_analyzer(), phrase=False),  # the words "did you mean" may offer
    )
    for language in FIELD_LANGUAGES:
        fields[f"title_{language}"] = TEXT(analyzer=analyzer(language))  # for title: queries
        fields[f"body_{language}"] = TEXT(analyzer=analyzer(language))  # the title, then the text
    return Schema(**fields)


def index_path() -> Path:
    return Path(current_app.config["SEARCH_INDEX_PATH"])


def open_index(path: Path | None = None):
    """The index at ``path``, checked to be readable and of the current schema."""
    path = path or index_path()
    try:
        ix = index.open_dir(str(path))
        with ix.searcher() as searcher:
            meta = read_meta(searcher)
    except Exception as error:  # Whoosh raises many kinds on damaged files
        raise IndexUnavailable(str(error) or type(error).__name__) from error
    if meta.get("version") != SCHEMA_VERSION:
        raise IndexUnavailable("the index was built by another version of the hub")
    return ix


def read_meta(searcher) -> dict:
    stored = searcher.document(key=META_KEY)
    return dict(stored["meta"]) if stored else {}


def meta_document(mark: int) -> dict:
    return dict(key=META_KEY, entity=META_KEY, doc_type=META_KEY,
                meta={"mark": mark, "version": SCHEMA_VERSION, "written_at": datetime.now().isoformat()})


# -- one searcher per thread ----------------------------------------------------------

_lock = threading.Lock()
_serials = itertools.count(1)
_local = threading.local()  # Whoosh readers are not thread-safe: one searcher per thread


class _ThreadSearchers:
    """One thread's path -> (inode, index, searcher); closed when the thread ends (a
    threaded development server starts a thread per request)."""

    def __init__(self):
        self.by_path: dict[str, tuple[int, object, object]] = {}

    def __del__(self):
        for _inode, _ix, found in self.by_path.values():
            _close(found)


def _searchers() -> dict[str, tuple[int, object, object]]:
    """This thread's searchers. A sync worker has one request thread (so one
    searcher per process) plus its indexer thread."""
    if not hasattr(_local, "holder"):
        _local.holder = _ThreadSearchers()
        with _lock:
            _all_threads.add(_local.holder)
    return _local.holder.by_path


_all_threads: weakref.WeakSet = weakref.WeakSet()  # so forget_searcher() reaches every thread's


def searcher():
    """The searcher for the current index, refreshed if the index changed since the
    last call (a new commit: unchanged segments are reused; or a rebuild swapped in
    under the same path: reopened)."""
    path = index_path()
    key = str(path)
    try:
        inode = os.stat(path).st_ino
    except OSError as error:
        raise IndexUnavailable("the index has not been built yet") from error
    _cached = _searchers()
    with _lock:
        cached = _cached.get(key)
        try:
            if cached is None or cached[0] != inode:
                if cached is not None:
                    _close(cached[2])
                ix = open_index(path)
                found = ix.searcher()
            else:
                ix, found = cached[1], cached[2].refresh()
                if found is not cached[2]:
                    _close(cached[2])
        except IndexUnavailable:
            _cached.pop(key, None)
            raise
        except Exception as error:
            _cached.pop(key, None)
            raise IndexUnavailable(str(error) or type(error).__name__) from error
        if not hasattr(found, "hub_serial"):
            found.hub_serial = next(_serials)  # names this version of the index in the filter cache
        _cached[key] = (inode, ix, found)
        return found


def current_index():
    """The index the current searcher reads (opened once per thread and swap)."""
    searcher()
    return _searchers()[str(index_path())][1]


_filters: OrderedDict[tuple, BitSet] = OrderedDict()
FILTER_CACHE = 2048  # permission filters of one segment each, kept per process (a bit per document)


class SegmentedDocs(DocIdSet):
    """A permission filter over the whole index as one bitset per segment. A commit
    adds a small segment and leaves the others as they are, so after a save only the
    new segment is filtered again: a busy forum's searches no longer re-read every
    document's permissions (what made search grow with the site under writes)."""

    def __init__(self, parts: list[tuple[int, int, BitSet]]):
        self.parts = parts  # (offset, documents in the segment, its allowed documents)
        self.offsets = [offset for offset, _size, _docs in parts]

    def __contains__(self, docnum) -> bool:
        at = bisect_right(self.offsets, docnum) - 1
        if at < 0:
            return False
        offset, size, docs = self.parts[at]
        return docnum - offset < size and (docnum - offset) in docs

    def __iter__(self):
        for offset, _size, docs in self.parts:
            for docnum in docs:
                yield docnum + offset

    def __len__(self) -> int:
        return sum(len(docs) for _offset, _size, docs in self.parts)

    def __bool__(self) -> bool:
        return any(docs for _offset, _size, docs in self.parts)

    def intersection(self, other) -> set[int]:
        return {docnum for docnum in other if docnum in self}


def _segment_key(sub, found) -> object:
    """What names a segment across commits (its id), else this version of the index."""
    reader = sub.reader()
    segment = reader.segment() if hasattr(reader, "segment") else None
    return getattr(segment, "segid", None) or ("index", getattr(found, "hub_serial", id(found)))


def _segment_docs(sub, query) -> BitSet:
    return BitSet(source=query.docs(sub), size=sub.doc_count_all())


def allowed_documents(found, query) -> SegmentedDocs:
    """The documents ``query`` matches in ``found``, cached per segment until the
    segment is merged away: readers with the same permissions share one filter, and
    building it is most of the cost of a search on a large index."""
    text = str(query)
    parts = []
    for sub, offset in found.leaf_searchers():
        key = (_segment_key(sub, found), text)
        with _lock:
            docs = _filters.get(key)
            if docs is not None:
                _filters.move_to_end(key)
        if docs is None:
            docs = _segment_docs(sub, query)
            with _lock:
                _filters[key] = docs
                while len(_filters) > FILTER_CACHE:
                    _filters.popitem(last=False)
        parts.append((offset, sub.doc_count_all(), docs))
    return SegmentedDocs(parts)


def _close(old) -> None:
    try:
        old.close()
    except Exception:  # a searcher of a deleted folder may fail to close; it is gone anyway
        pass


def forget_searcher() -> None:
    """Close and drop every thread's searchers (tests and benchmarks that damage or
    replace index files behind the hub's back). A rebuild needs no call: each thread
    sees the swapped folder's new inode and reopens its own searcher."""
    with _lock:
        for holder in list(_all_threads):
            for _inode, _ix, found in holder.by_path.values():
                _close(found)
            holder.by_path.clear()
        _filters.clear()
