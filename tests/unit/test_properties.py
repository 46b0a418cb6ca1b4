"""Property tests (hypothesis): whatever a trainer uploads or a member types, the
parsers, the Markdown renderer and the search query reader answer with a result or
their documented error, never another exception, and within a time bound (the
deadline of each example)."""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.markdown import render_markdown
from hub.quizzes import cloze, gift, moodle_xml
from hub.search.query import parse as parse_query

BOUNDED = settings(max_examples=150, deadline=timedelta(seconds=2))

GIFT_PIECES = ["::", "{", "}", "~", "=", "#", "->", "%50%", "%-100%", "//", "$CATEGORY: a/b", "[html]", "[markdown]",
               "\\", "\\{", "TRUE", "FALSE", "T", "F", ":1:0.5", "..", "\n", "\n\n", " ", "<b>", "&amp;", "####",
               "{#", "{1:MULTICHOICE:=a~b}", "{1:SHORTANSWER:=x}", "- ", "> ", "```", "\x00"]
XML_PIECES = ["<?xml version='1.0'?>", "<quiz>", "</quiz>", '<question type="multichoice">', "</question>",
              '<question type="truefalse">', '<question type="category">', "<name><text>n</text></name>",
              "<questiontext format='html'><text>q</text></questiontext>", '<answer fraction="100">',
              '<answer fraction="33">', "</answer>", "<text>", "</text>", "<![CDATA[", "]]>",
              "<!DOCTYPE x [<!ENTITY a 'aaaa'>]>", "&a;", "<single>true</single>", "<shuffleanswers>1",
              '<file name="a.png" encoding="base64">', "</file>", "@@PLUGINFILE@@/a.png", "\x00", "<", ">", "&"]
MARKDOWN_PIECES = ["- ", "* ", "1. ", "> ", "```", "    ", "#", "[a](", ")", "![", "<img src=x>", "<script>", "|", "---",
                   "**", "_", "`", "\n", "\n\n", "[^1]", "!!! note", "<details>", "&#0;", "\x00", "http://x.y"]
QUERY_PIECES = ['"', "(", ")", "AND", "OR", "NOT", "title:", "tag:", "*", "?", "~", "^2", ":", "[a TO b]", " ", "é",
                "employ", "ένταξη", "\x00", "\\"]


def pieces(vocabulary: list[str], max_size: int = 60):
    """Text built from the format's own tokens mixed with arbitrary characters."""
    piece = st.sampled_from(vocabulary) | st.text(max_size=8)
    return st.lists(piece, max_size=max_size).map("".join)


@BOUNDED
@given(pieces(GIFT_PIECES))
def test_gift_parser_reports_problems_and_never_raises(text):
    result = gift.parse(text)
    assert isinstance(result.questions, list) and isinstance(result.errors, list)


@BOUNDED
@given(pieces(XML_PIECES))
def test_moodle_xml_parser_reports_problems_and_never_raises(text):
    result = moodle_xml.parse(text)
    assert isinstance(result.questions, list) and isinstance(result.errors, list)


@BOUNDED
@given(pieces(GIFT_PIECES))
def test_cloze_parser_returns_problems_and_never_raises(text):
    template, parts, problems = cloze.parse(text)
    assert isinstance(template, str) and isinstance(parts, list) and isinstance(problems, list)


@BOUNDED
@given(pieces(MARKDOWN_PIECES, max_size=120))
def test_markdown_renderer_always_renders_safely(text):
    html = str(render_markdown(text))
    assert "<script" not in html and "onerror" not in html.lower().replace(" ", "")


@BOUNDED
@given(pieces(QUERY_PIECES, max_size=40))
def test_search_queries_never_raise(text):
    parsed = parse_query(text, ["en", "el", "other"])
    assert parsed.query is None or parsed.query.normalize() is not None
