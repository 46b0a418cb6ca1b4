"""Running a search for a reader: the query, the reader's permissions as an index
filter (so results, counts, snippets and suggestions only ever come from documents
the reader may see), facets, paging and highlighted snippets."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError
from whoosh import query as Q
from whoosh import sorting
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter

from .analysis import FIELD_LANGUAGES, field_language, fold
from .query import Parsed, parse
from .registry import ACCESS_RULES, DOC_TYPES, ZONES
from .store import IndexUnavailable, allowed_documents, searcher

PER_PAGE = 10
MAX_PAGE = 1000  # deeper pages are the last one anyway; this bounds what one request ranks
TYPE_FACET = sorting.FieldFacet("doc_type")
ORDERS = ("relevance", "date")
SNIPPET_CHARS = 240
HIGHLIGHT_CHARS = 4000  # snippets quote a match from the first 4,000 characters (speed)


@dataclass
class Request:
    q: str = ""
    doc_type: str = ""
    language: str = ""
    country: str = ""
    zone: str = ""
    course: str = ""
    order: str = "relevance"
    page: int = 1

    def filters(self, with_type: bool = True) -> dict:
        """The active filters, as query-string arguments."""
        found = dict(type=self.doc_type if with_type else "", language=self.language, country=self.country,
                     zone=self.zone, course=self.course)
        return {k: v for k, v in found.items() if v}


@dataclass
class Hit:
    doc_type: str
    title: Markup
    snippet: Markup
    url: str
    language: str
    date: datetime | None
    course: str
    countries: list[str]


@dataclass
class Page:
    """One page of results and what the page needs to show them (and the pager macro)."""
    request: Request
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    type_counts: dict[str, int] = field(default_factory=dict)
    plain: bool = False  # the query's syntax was not understood; plain words were searched
    suggestion: str | None = None
    unavailable: bool = False
    languages: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.request.page

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


# -- permissions ----------------------------------------------------------------------

def reader_filter(user) -> Q.Query:
    """Documents ``user`` may see: a scope they hold, and every gate passed."""
    scopes: list[Q.Query] = [Q.Term("scope", "public")]
    gates: list[Q.Query] | None = [Q.Term("gate", "open")]
    for rule in ACCESS_RULES:
        access = rule(user)
        scopes += access.scopes
        if access.gates is None:
            gates = None
        elif gates is not None:
            gates += access.gates
    allowed = Q.Or(scopes)
    return allowed if gates is None else Q.And([allowed, Q.Or(gates)])


def facet_filter(request: Request, with_type: bool = True) -> list[Q.Query]:
    found: list[Q.Query] = []
    if with_type and request.doc_type:
        found.append(Q.Term("doc_type", request.doc_type))
    if request.language:
        found.append(Q.Term("language", request.language))
    if request.country:
        found.append(Q.Term("countries", request.country))
    if request.course:
        found.append(Q.Term("course", request.course))
    if request.zone in ZONES:
        found.append(Q.Or([Q.Term("zones", request.zone), Q.Term("course", ZONES[request.zone][1])]))
    return found


# -- running --------------------------------------------------------------------------

def _languages(found, request: Request) -> list[str]:
    """Field languages to search: those present in the index (or the one filtered)."""
    if request.language:
        return [field_language(request.language)]
    present = {field_language(code) for code in found.reader().field_terms("language")}
    return [language for language in FIELD_LANGUAGES if language in present]


def _url(stored: dict) -> str | None:
    try:
        return url_for(stored["endpoint"], **stored.get("url_args", {}))
    except (BuildError, KeyError):
        return None


def _hit(result) -> Hit | None:
    stored = result.fields()
    url = _url(stored)
    if url is None:
        return None
    language = field_language(stored.get("language"))
    title = result.highlights(f"title_{language}", text=stored.get("title", ""), top=1)
    result.results.fragmenter = ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70, charlimit=HIGHLIGHT_CHARS)
    snippet = result.highlights(f"body_{language}", text=stored.get("body", ""), top=2)
    result.results.fragmenter = WholeFragmenter()
    body = stored.get("body", "")
    if not snippet:
        snippet = escape(body[:SNIPPET_CHARS]) + ("…" if len(body) > SNIPPET_CHARS else "")
    return Hit(doc_type=stored["doc_type"], title=Markup(title or escape(stored.get("title", ""))),
               snippet=Markup(snippet), url=url, language=stored.get("language", ""), date=stored.get("date"),
               course=stored.get("course", ""), countries=[c for c in stored.get("countries", "").split(",") if c])


def _narrowed(found, allowed, facets: list[Q.Query]):
    """``allowed`` documents that also match every facet query."""
    if not facets:
        return allowed
    return allowed.intersection(set(Q.And(facets).docs(found)))  # (a generator is read only once)


def _count(found, query: Q.Query, allowed) -> int:
    return len(found.search(query, filter=allowed, limit=1, scored=False))


def suggest(found, parsed: Parsed, request: Request, allowed) -> str | None:
    """A respelling of the query's unknown words that finds something this reader may
    see (checked by running it), or None."""
    corrector = found.corrector("spell")
    words, changed = [], False
    for word in parsed.words:
        lower = word.lower()
        if len(lower) >= 3 and not lower.isdigit() and found.doc_frequency("spell", lower) == 0:
            options = [o for o in corrector.suggest(lower, limit=3, maxdist=2) if fold(o) != fold(lower)]
            if options:
                words.append(options[0])
                changed = True
                continue
        words.append(word)
    if not changed:
        return None
    text = " ".join(words)
    retry = parse(text, _languages(found, request))
    if retry.query is None or _count(found, retry.query, allowed) == 0:
        return None
    return text


def _searcher_or_none():
    """The searcher; when the index is unusable, wake the indexer (which rebuilds it,
    at once in "inline" mode) and try once more."""
    from .worker import notify

    for attempt in (1, 2):
        try:
            return searcher()
        except IndexUnavailable as problem:
            if attempt == 1:
                current_app.logger.warning("Search unavailable: %s", problem)
                notify()
    return None


def run(user, request: Request) -> Page:
    """Search for ``user``; never raises for a bad query or an unusable index."""
    page = Page(request)
    found = _searcher_or_none()
    if found is None:
        page.unavailable = True
        return page
    page.languages = sorted(code for code in found.reader().field_terms("language") if code)
    page.countries = sorted(code for code in found.reader().field_terms("countries") if code)
    parsed = parse(request.q, _languages(found, request))
    page.plain = parsed.plain
    if parsed.query is None:
        return page
    readable = allowed_documents(found, reader_filter(user))  # the meta document has no scope
    base = _narrowed(found, readable, facet_filter(request, with_type=False))
    # One pass counts every type (the tabs) and, without a type filter, ranks the page too.
    sort = {"sortedby": sorting.FieldFacet("date", reverse=True)} if request.order == "date" else {}
    wanted = max(1, min(request.page, MAX_PAGE)) * PER_PAGE
    results = found.search(parsed.query, filter=base, limit=wanted, groupedby=TYPE_FACET, maptype=sorting.Count,
                           terms=True, **sort)
    groups = results.groups("doc_type")
    page.type_counts = {name: groups.get(name, 0) for name in DOC_TYPES if groups.get(name)}
    page.total = page.type_counts.get(request.doc_type, 0) if request.doc_type else sum(page.type_counts.values())
    if page.total == 0:
        page.suggestion = suggest(found, parsed, request, base)
        return page
    request.page = min(max(1, request.page), page.pages)
    if request.doc_type or request.page * PER_PAGE > wanted:
        results = found.search(parsed.query, filter=_narrowed(found, base, facet_filter(request)),
                               limit=request.page * PER_PAGE, terms=True, **sort)
    results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    results.fragmenter = WholeFragmenter()
    start = (request.page - 1) * PER_PAGE
    page.hits = [hit for hit in (_hit(r) for r in results[start:start + PER_PAGE]) if hit is not None]
    return page
    request.page = min(max(1, request.page), page.pages)
    options = dict(filter=_narrowed(found, base, facet_filter(request)), terms=True)
    if request.order == "date":  # (Whoosh's reverse=True is lost when a page holds every hit)
        options.update(sortedby=sorting.FieldFacet("date", reverse=True))
    results = found.search_page(parsed.query, request.page, pagelen=PER_PAGE, **options)
    results.results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    results.results.fragmenter = WholeFragmenter()
    page.hits = [hit for hit in (_hit(r) for r in results) if hit is not None]
    return page
