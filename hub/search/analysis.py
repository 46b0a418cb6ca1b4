"""Text analysis per content language: tokens, lower case, stop words, accent folding
and a Snowball stemmer (the ``snowballstemmer`` package: 30+ languages, Greek and
Czech among them, where Whoosh's own copies stop at 16).

Folding comes before stemming, so "integração" and "integracao" reach the stemmer as
the same word and end as the same term, and a query typed without accents finds the
text written with them (and back). Languages without a stemmer still get tokens,
lower case and folding. The filters are pickled into the index's table of contents,
so they keep only their language code as state."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

import snowballstemmer
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import has_stopwords, stopwords_for_language
from whoosh.support.charset import accent_map

# ISO 639-1 code -> Snowball algorithm. Content in any other language is analysed
# without stemming (the "other" fields).
STEMMERS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "eo": "esperanto", "es": "spanish", "et": "estonian", "eu": "basque", "fa": "persian",
    "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch",
    "no": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "sv": "swedish", "ta": "tamil", "tr": "turkish",
}
OTHER = "other"
FIELD_LANGUAGES = tuple(sorted(STEMMERS)) + (OTHER,)
WORD = r"\w+(?:[.'’]\w+)*"  # keeps "e.g", "l'emploi" and "don't" whole, splits on the rest


def field_language(language: str | None) -> str:
    """The suffix of the fields a text in ``language`` is indexed under."""
    code = (language or "").split("-")[0].split("_")[0].lower()
    return code if code in STEMMERS else OTHER


_LIGATURES = str.maketrans({"æ": "ae", "œ": "oe", "ß": "ss", "ĳ": "ij"})


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower case without accents: "Ένταξη" -> "ενταξη", "Čeština" -> "cestina",
    "Søg" -> "sog". Marks are stripped after canonical decomposition (Greek tonos
    included); letters without a decomposition become their usual spelling (æ -> ae, ß -> ss) or
    go through Whoosh's map (ø -> o, ł -> l)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).translate(_LIGATURES).translate(accent_map)


class FoldFilter(Filter):
    """Accent and case folding of every token (see ``fold``)."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for token in tokens:
            token.text = fold(token.text)
            yield token


@lru_cache(maxsize=None)
def _stem_function(algorithm: str):
    stemmer = snowballstemmer.stemmer(algorithm)
    return lru_cache(maxsize=50_000)(stemmer.stemWord)


class SnowballFilter(Filter):
    """Stems tokens with the Snowball algorithm of ``language``."""

    def __init__(self, language: str):
        self.language = language

    def __eq__(self, other):
        return type(other) is type(self) and other.language == self.language

    def __getstate__(self):
        return {"language": self.language}

    def __setstate__(self, state):
        self.language = state["language"]

    def __call__(self, tokens):
        stem = _stem_function(STEMMERS[self.language])
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


def analyzer(language: str):
    """The analyser of the ``*_<language>`` fields (``language`` from FIELD_LANGUAGES)."""
    chain = RegexTokenizer(WORD) | LowercaseFilter()
    if language != OTHER and has_stopwords(language):
        chain = chain | StopFilter(stoplist=stopwords_for_language(language), minsize=1)
    chain = chain | FoldFilter()
    if language != OTHER:
        chain = chain | SnowballFilter(language)
    return chain


def word_analyzer():
    """Tokens in lower case, nothing dropped or stemmed: the spelling dictionary."""
    return RegexTokenizer(WORD) | LowercaseFilter()


def terms(language: str, text: str) -> list[str]:
    """The indexed terms ``text`` gives in ``language``'s fields (stop words dropped)."""
    return [token.text for token in analyzer(language)(text)]
