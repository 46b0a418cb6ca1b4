"""The search query reader, the analysers and the outbox mark, without a database."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from flask import Flask
from whoosh import query as Q

from hub.search.analysis import field_language, fold, terms
from hub.search.query import MAX_WORDS, parse, plain_words, syntax_ok


@pytest.mark.parametrize("raw", ["employers", '"job coaching" refugees', "title:mentoring", "tag:mentoring",
                                 "refugee OR asylum", "coaching NOT weekly", "(a OR b) c", "employ*",
                                 "NOT weekly coaching", "em?loy"])
def test_readable_syntax(raw):
    assert syntax_ok(raw)
    assert parse(raw, ["en"]).plain is False


@pytest.mark.parametrize("raw", ['"unbalanced', "(open", "close)", "AND x", "x OR", "x AND OR y", "foo:bar",
                                 "*x", "?x", "a" * 201, "title:"])
def test_unreadable_syntax_becomes_plain_words(raw):
    assert not syntax_ok(raw)
    assert parse(raw, ["en"]).plain is True


def test_plain_words_drop_operators_and_are_capped():
    assert plain_words("AND OR foo NOT bar") == ["foo", "bar"]
    assert len(plain_words("w " * 100)) == MAX_WORDS


def test_words_are_matched_per_language_so_stop_words_do_not_block():
    query = parse("the refugees", ["en", "pt"]).query
    assert isinstance(query, Q.Or)
    english = [q for q in query.subqueries if "body_en" in str(q)][0]
    assert "the" not in str(english) and "refuge" in str(english)


def test_only_stop_words_give_no_query():
    assert parse("the of and", ["en"]).query is None
    assert parse("", ["en"]).query is None
    assert parse("x", []).query is None


def test_prefix_and_fields():
    assert str(parse("employ*", ["en"]).query) == "spell:employ*"
    assert "title_en" in str(parse("title:guide", ["en"]).query) and "body_en" not in str(
        parse("title:guide", ["en"]).query)
    assert str(parse("tag:Mentoring", ["en"]).query) == "tags:mentoring"
    assert "spell" not in str(parse("em*", ["en"]).query)  # too short a prefix: a plain word


@pytest.mark.parametrize("raw", ['"""', "((((", ")", "NOT", "title:title:x", 'tag:"', "\x00", "a:b:c", "*",
                                 "OR OR OR", '"a" "b', "ÿ" * 500, "\u200b", "x^2", "[a TO b]"])
def test_nothing_a_reader_types_raises(raw):
    parse(raw, ["en", "el", "other"])


@pytest.mark.parametrize("language,a,b", [
    ("en", "employers", "employment"), ("da", "beskæftigelsen", "beskaeftigelse"), ("nl", "werkgevers", "werkgever"),
    ("fr", "employeurs", "employeur"), ("de", "Arbeitgebern", "arbeitgeber"), ("it", "lavoratori", "lavoratore"),
    ("pt", "integração", "integracao"), ("es", "integración", "integracion"), ("el", "ένταξη", "ενταξης"),
    ("cs", "zaměstnavatelé", "zamestnavatel"), ("sv", "arbetsgivarna", "arbetsgivare"),
    ("fi", "työnantajat", "tyonantaja"), ("de", "Straße", "strasse"),
])
def test_stemming_and_folding_per_language(language, a, b):
    assert terms(language, a) == terms(language, b) != []


def test_languages_without_fields_use_the_plain_analyser():
    assert field_language("en-GB") == "en" and field_language("xx") == "other" and field_language(None) == "other"
    assert terms("other", "Integração Ένταξη") == ["integracao", "ενταξη"]
    assert fold("Søren Čapek Łódź") == "soren capek lodz"


def test_the_mark_moves_over_consecutive_ids_and_old_gaps_only():
    from hub.search.indexer import advance

    app = Flask(__name__)
    app.config["SEARCH_OUTBOX_GAP_SECONDS"] = 60
    now = datetime(2026, 1, 1, 12, 0)
    fresh, old = now - timedelta(seconds=5), now - timedelta(seconds=120)
    with app.app_context():
        assert advance(10, [(11, fresh), (12, fresh)], now) == 12
        assert advance(10, [(11, fresh), (13, fresh)], now) == 11  # 12 may still commit
        assert advance(10, [(12, fresh)], now) == 10
        assert advance(10, [(12, old), (13, fresh)], now) == 13  # 11 rolled back long ago


def test_typographic_quotes_make_phrases():
    assert str(parse("“job coach”", ["en"]).query) == str(parse('"job coach"', ["en"]).query)
    assert parse("«job coach»", ["en"]).plain is False
