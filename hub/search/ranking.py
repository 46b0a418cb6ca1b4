"""Titles in the ranking. A body field holds the title and the text, so a query is one
plain clause per word (which Whoosh ranks by skipping blocks that cannot reach the
page); the title's extra weight is applied afterwards, to the best few dozen results:
a document whose title holds the query's words moves up."""
from __future__ import annotations

from .analysis import field_language, terms
from .query import positive_terms

WINDOW = 50  # results re-ranked by their titles
TITLE_WEIGHT = 0.5  # a title with every query word raises a score by half


def wanted_terms(query) -> dict[str, set[str]]:
    """Field language -> the analysed words ``query`` asks for in bodies."""
    found: dict[str, set[str]] = {}
    for name, text in positive_terms(query):
        if name.startswith("body_"):
            found.setdefault(name[len("body_"):], set()).add(text)
    return found


def rerank_by_title(results, query) -> None:
    """Re-order the first WINDOW of ``results.top_n`` in place by score times the
    share of the query's words in the document's title. The window is the same for
    every page, so paging stays consistent (date-sorted results keep their order:
    callers only pass relevance results)."""
    wanted = wanted_terms(query)
    if not wanted:
        return
    window = results.top_n[:WINDOW]
    searcher = results.searcher
    rescored = []
    for score, docnum in window:
        stored = searcher.stored_fields(docnum)
        language = field_language(stored.get("language"))
        asked = wanted.get(language)
        share = len(asked & set(terms(language, stored.get("title", "")))) / len(asked) if asked else 0.0
        rescored.append((score * (1 + TITLE_WEIGHT * share), docnum))
    rescored.sort(key=lambda pair: (-pair[0], pair[1]))
    results.top_n[:WINDOW] = rescored
