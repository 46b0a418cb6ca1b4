"""From what a reader types to a Whoosh query.

The syntax is Whoosh's, trimmed: words (all must match), ``OR``, ``NOT``, brackets,
"phrases in quotes", ``title:`` and ``tag:`` fields, and prefixes (``employ*``). A
query whose syntax cannot be read (unbalanced quotes or brackets, stray operators,
unknown fields, leading wildcards, very long input) is searched for any of its plain
words, best matches first, and the page says so. Prefixes and wildcards match whole
words (the unstemmed ``spell`` field), in titles and bodies alike.

Each word is analysed once per content language present and looked up in that
language's fields, so "employers" finds English text stemmed to "employ" and
"integracao" finds Portuguese "integração"."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as Q
from whoosh.fields import KEYWORD, TEXT, Schema
from whoosh.qparser import AndGroup, QueryParser, plugins

from .analysis import terms, word_analyzer

MAX_LENGTH = 200  # characters of query syntax read as such; longer input is plain words
MAX_WORDS = 20
MIN_PREFIX = 3  # "a*" would expand to half the dictionary
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
FIELDS = {"title", "tag"}
WORD = re.compile(r"\w+(?:[.'’]\w+)*")

_PARSE_SCHEMA = Schema(text=TEXT(analyzer=word_analyzer()), title=TEXT(analyzer=word_analyzer()),
                       tag=KEYWORD(lowercase=True))


def term(fieldname: str, value: str) -> Q.Query:
    return Q.Term(fieldname, value)


def prefix(fieldname: str, value: str) -> Q.Query:
    return Q.Prefix(fieldname, value)


@dataclass
class Parsed:
    query: Q.Query | None  # None: nothing searchable (empty, or only stop words)
    words: list[str] = field(default_factory=list)  # the plain words, for "did you mean"
    plain: bool = False  # the syntax was not understood; plain words were searched


def _parser() -> QueryParser:
    parser = QueryParser("text", _PARSE_SCHEMA, group=AndGroup)
    for plugin in (plugins.RangePlugin, plugins.BoostPlugin, plugins.EveryPlugin, plugins.SingleQuotePlugin):
        parser.remove_plugin_class(plugin)
    return parser


def syntax_ok(raw: str) -> bool:
    """Whether ``raw`` is a query Whoosh reads as the reader meant it."""
    if len(raw) > MAX_LENGTH or raw.count('"') % 2:
        return False
    depth = 0
    for char in re.sub(r'"[^"]*"', "", raw):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    if depth:
        return False
    tokens = [t.strip("()") for t in re.findall(r'"[^"]*"|[^\s"]+', raw)]
    tokens = [t for t in tokens if t]
    for i, token in enumerate(tokens):
        name, colon, rest = token.partition(":")
        if colon and not token.startswith('"') and (name not in FIELDS or not rest and i == len(tokens) - 1):
            return False
        if token in OPERATORS:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is None or (token != "NOT" and i == 0) or (following in OPERATORS and following != "NOT"):
                return False
        bare = rest if colon else token
        if bare.startswith(("*", "?")) or "*" in bare.rstrip("*") and not bare.startswith('"'):
            return False
    return True


class _Expander:
    """Rewrites the parser's query on the placeholder fields into one language's
    fields. A document only has fields of its own language, so the whole query is
    matched per language: stop words of that language drop out of its conjunction
    instead of making it unmatchable."""

    def __init__(self, language: str):
        self.language = language
        self.words: list[str] = []

    def words_query(self, fieldname: str, words: list[str]) -> Q.Query:
        """``words`` in this language's body (which holds the title too), or in its
        title only for ``title:``: one plain clause per word, which Whoosh ranks by
        skipping blocks that cannot reach the first page (titles weigh in: ranking.py)."""
        analysed = [t for word in words for t in terms(self.language, word)]
        if not analysed:
            return Q.NullQuery  # only stop words in this language
        name = f"{'title' if fieldname == 'title' else 'body'}_{self.language}"
        return Q.Term(name, analysed[0]) if len(analysed) == 1 else Q.Phrase(name, analysed)

    def __call__(self, node: Q.Query) -> Q.Query:
        if isinstance(node, Q.Term) and node.fieldname == "tag":
            return Q.Term("tags", str(node.text).lower())
        if isinstance(node, Q.Phrase) and node.fieldname == "tag":
            return Q.Term("tags", " ".join(node.words).lower())
        if isinstance(node, Q.Prefix):  # against whole words: a stem may be shorter than the prefix
            text = str(node.text).rstrip("*").lower()
            if len(text) < MIN_PREFIX:
                return self.words_query(node.fieldname, [text])
            return Q.Prefix("spell", text)
        if isinstance(node, Q.Wildcard):
            return Q.Wildcard("spell", str(node.text).lower())
        if isinstance(node, Q.Term):
            self.words.append(str(node.text))
            return self.words_query(node.fieldname, [str(node.text)])
        if isinstance(node, Q.Phrase):
            return self.words_query(node.fieldname, list(node.words))
        return node.apply(self)


def _per_language(build, languages: list[str]) -> tuple[Q.Query | None, list[str]]:
    """Or over ``languages`` of ``build(expander)``, normalised; and the plain words."""
    alternatives: list[Q.Query] = []
    words: list[str] = []
    for language in languages:
        expander = _Expander(language)
        query = build(expander).normalize()
        words = words or expander.words
        if query is not Q.NullQuery:
            alternatives.append(query)
    if not alternatives:
        return None, words
    return (alternatives[0] if len(alternatives) == 1 else Q.Or(alternatives)), words


def plain_words(raw: str) -> list[str]:
    return [w for w in WORD.findall(raw) if w not in OPERATORS][:MAX_WORDS]


QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″"})


def parse(raw: str, languages: list[str]) -> Parsed:
    """The query for ``raw`` over the fields of ``languages`` (field suffixes).
    Typographic quotes (“…”, „…“, «…») delimit phrases like straight ones."""
    raw = (raw or "").translate(QUOTES).strip()
    if not raw or not languages:
        return Parsed(None)
    if syntax_ok(raw):
        try:
            parsed = _parser().parse(raw)
            query, words = _per_language(lambda expander: expander(parsed), languages)
            return Parsed(query, words)
        except Exception:  # noqa: BLE001  (Whoosh's parser is not documented to raise; be sure)
            pass
    words = plain_words(raw)

    def any_word(expander: _Expander) -> Q.Query:
        return Q.Or([expander.words_query("text", [word]) for word in words]) if words else Q.NullQuery

    query, _ = _per_language(any_word, languages)
    return Parsed(query, words, plain=True)


def positive_terms(query: Q.Query) -> list[tuple[str, str]]:
    """The (field, text) terms ``query`` asks for, not those it leaves out."""
    if isinstance(query, Q.Not):
        return []
    if isinstance(query, Q.AndNot):
        return positive_terms(query.a)
    if isinstance(query, Q.Term):
        return [(query.fieldname, str(query.text))]
    if isinstance(query, Q.Phrase):
        return [(query.fieldname, str(word)) for word in query.words]
    found: list[tuple[str, str]] = []
    for child in query.children():
        found += positive_terms(child)
    return found

