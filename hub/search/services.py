"""Running a search for a reader: the query, the reader's permissions as an index
filter (so results, counts, snippets and suggestions only ever come from documents
the reader may see), facets, paging and highlighted snippets."""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, url_for
from markupsafe import Markup, escape
from werkzeug.routing import BuildError
from whoosh import query as Q
from whoosh import sorting
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter
from whoosh.searching import Results

from .analysis import FIELD_LANGUAGES, field_language, fold
from .query import Parsed, parse
from .ranking import WINDOW, rerank_by_title
from .registry import ACCESS_RULES, DOC_TYPES, ZONES
from .store import IndexUnavailable, allowed_documents, searcher

PER_PAGE = 10
COUNT_CAP = 1000  # results are counted exactly up to here ("1000+" beyond), as search engines do
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
    exact: bool = True  # False: more than COUNT_CAP results, counted no further
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

def _languages(present: list[str], request: Request) -> list[str]:
    """Field languages to search: those of the index's documents (or the one filtered)."""
    if request.language:
        return [field_language(request.language)]
    fields = {field_language(code) for code in present}
    return [language for language in FIELD_LANGUAGES if language in fields]


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
    title = result.highlights(f"body_{language}", text=stored.get("title", ""), top=1) or result.highlights(
        f"title_{language}", text=stored.get("title", ""), top=1)
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


@dataclass
class Tally:
    total: int
    by_type: dict[str, int]
    exact: bool
    scored: list[tuple[float, int]] = field(default_factory=list)  # (score, docnum) of every match, when exact


def count(found, query: Q.Query, allowed, cap: int | None = None, score: bool = True) -> Tally:
    """Matching documents the reader may see, per type, scored as they are counted,
    up to ``cap``. A query with fewer matches is thus ranked in the same pass (a
    phrase's positions are checked once); a query matching half the index stops at
    the cap and is ranked by Whoosh, which skips blocks that cannot reach the page
    (``score=False`` when that is known beforehand)."""
    cap = cap or COUNT_CAP
    types = found.reader().column_reader("doc_type")
    by_type: dict[str, int] = {}
    scored: list[tuple[float, int]] = []
    context = found.context()
    for sub, offset in found.leaf_searchers():
        matcher = query.matcher(sub, context)
        while matcher.is_active():
            docnum = matcher.id() + offset
            if docnum in allowed:
                name = types[docnum]
                by_type[name] = by_type.get(name, 0) + 1
                scored.append((matcher.score() if score else 0.0, docnum))
                if len(scored) >= cap:
                    return Tally(len(scored), {}, exact=False)
            matcher.next()
    ordered = {name: by_type[name] for name in DOC_TYPES if by_type.get(name)}
    return Tally(len(scored), ordered, exact=True, scored=scored)


def surely_broad(found, query: Q.Query) -> bool:
    """Whether a one-word query has more matches than can be counted (its commonest
    form is in more than twice COUNT_CAP documents)."""
    if not isinstance(query, (Q.Term, Q.Or)) or any(not isinstance(q, Q.Term) for q in query.leaves()):
        return False
    terms = [query] if isinstance(query, Q.Term) else list(query.leaves())
    return max(found.doc_frequency(t.fieldname, t.text) for t in terms) > 2 * COUNT_CAP


def _ranked(found, query: Q.Query, tally: Tally, shown, limit: int, by_date: bool) -> Results:
    """The best ``limit`` of the counted matches in ``shown``, as Whoosh ``Results``."""
    kept = [(score, docnum) for score, docnum in tally.scored if docnum in shown]
    if by_date:
        dates = found.reader().column_reader("date")
        top = heapq.nlargest(limit, kept, key=lambda pair: (dates[pair[1]] is not None, dates[pair[1]] or 0, pair[1]))
    else:
        top = heapq.nlargest(limit, kept, key=lambda pair: (pair[0], -pair[1]))
    return Results(found, query, top, docset={docnum for _score, docnum in kept})


def suggest(found, parsed: Parsed, languages: list[str], allowed) -> str | None:
    """A respelling of the query's unknown words that finds something this reader may
    see (checked by running it), or None."""
    corrector = found.corrector("spell")
    words, changed = [], False
    for word in parsed.words:
        lower = word.lower()
        if len(lower) >= 3 and not lower.isdigit() and found.doc_frequency("spell", lower) == 0:
            options = [o for o in corrector.suggest(lower, limit=3, maxdist=2)
                       if len(o) >= 3 and fold(o) != fold(lower)]  # not "to" for "roto"
            if options:
                words.append(options[0])
                changed = True
                continue
        words.append(word)
    if not changed:
        return None
    text = " ".join(words)
    retry = parse(text, languages)
    if retry.query is None or count(found, retry.query, allowed, cap=1).total == 0:
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
    languages = _languages(page.languages, request)
    parsed = parse(request.q, languages)
    page.plain = parsed.plain
    if parsed.query is None:
        return page
    readable = allowed_documents(found, reader_filter(user))  # the meta document has no scope
    base = _narrowed(found, readable, facet_filter(request, with_type=False))
    tally = count(found, parsed.query, base, score=not surely_broad(found, parsed.query))
    page.type_counts = tally.by_type  # empty when there were too many to count
    if request.doc_type and not tally.exact:
        tally = count(found, parsed.query, _narrowed(found, base, facet_filter(request)))
    page.exact = tally.exact
    page.total = tally.by_type.get(request.doc_type, 0) if request.doc_type and tally.exact else tally.total
    if page.total == 0:
        page.suggestion = suggest(found, parsed, languages, base)
        return page
    request.page = min(max(1, request.page), page.pages)
    sort = {"sortedby": sorting.FieldFacet("date", reverse=True)} if request.order == "date" else {}
    shown = _narrowed(found, base, facet_filter(request))
    first = (request.page - 1) * PER_PAGE
    # Relevance pages rank at least the title window, re-ranked the same way on every
    # page, so a result never shows on two pages or on none.
    wanted = first + PER_PAGE if sort else max(first + PER_PAGE, WINDOW)
    if tally.exact:
        results = _ranked(found, parsed.query, tally, shown, wanted, by_date=bool(sort))
    else:
        results = found.search(parsed.query, filter=shown, limit=wanted, **sort)
    if not sort:
        rerank_by_title(results, parsed.query)
    results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    results.fragmenter = WholeFragmenter()
    page.hits = [hit for hit in (_hit(r) for r in results[first:first + PER_PAGE]) if hit is not None]
    return page
