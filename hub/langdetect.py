"""Which language a member wrote in, for posts whose author let the hub tell.

py3langid (a maintained port of langid.py: a naive Bayes model over byte n-grams, 97
languages, offline) restricted to the hub's post languages. Short or ambiguous text
keeps the fallback (the author's own language): guessing from "Thanks!" helps nobody."""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

MIN_LETTERS = 12
MIN_CONFIDENCE = 0.8


@lru_cache(maxsize=4)
def _identifier(languages: tuple[str, ...]):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([code for code in languages if code in identifier.nb_classes])
    return identifier


def detect(text: str, candidates: Iterable[str], fallback: str) -> str:
    """The language of ``text`` among ``candidates``, or ``fallback`` when unsure."""
    if sum(ch.isalpha() for ch in text or "") < MIN_LETTERS:
        return fallback
    code, confidence = _identifier(tuple(sorted(candidates))).classify(text)
    return code if confidence >= MIN_CONFIDENCE else fallback


def warm_up(candidates: Iterable[str]) -> None:
    """Load the model now (the server does it once before forking its workers)."""
    _identifier(tuple(sorted(candidates)))
