"""Pure helpers of the forum: @mentions, quotes, attachment type sniffing."""
from __future__ import annotations

from hub.forum.text import Mention, excerpt, find_mentions, link_mentions, mention_token, quote
from hub.uploads import safe_filename, sniff


def test_mentions_with_spaces_ids_and_bare_names():
    found = find_mentions("Hi @[Maria  Jensen], @[Ana Pérez#12] and @kostas. Mail me at a@b.org or @[Maria Jensen]!")
    assert [(m.name, m.user_id) for m in found] == [("Maria  Jensen", None), ("Ana Pérez", 12), ("kostas", None)]
    assert found[0].key == "maria jensen"


def test_mentions_skip_code_and_optionally_quotes():
    source = "Real @[One]\n\n```\n@[Two]\n```\n\n`@[Three]` and\n> @[Four] quoted\n"
    assert [m.name for m in find_mentions(source)] == ["One", "Four"]
    assert [m.name for m in find_mentions(source, include_quotes=False)] == ["One"]


def test_link_mentions_only_resolved_ones():
    def resolve(mention: Mention):
        return ("Maria [M] Jensen", "/forum/members/3") if mention.key == "maria jensen" else None

    linked = link_mentions("@[Maria Jensen] meets @[Nobody] in `@[Maria Jensen]`", resolve)
    assert linked == r"[@Maria \[M\] Jensen](/forum/members/3) meets @[Nobody] in `@[Maria Jensen]`"


def test_mention_token_and_quote():
    assert mention_token("Ana [Pérez]") == "@[Ana  Pérez]"
    assert mention_token("Ana Pérez", 7) == "@[Ana Pérez#7]"
    assert quote("Maria", "/forum/post/3", "line one\n\nline *two*") == (
        "> **[Maria](/forum/post/3) wrote:**\n>\n> line one\n>\n> line *two*\n\n")
    assert excerpt("word " * 100, 20).endswith("…") and len(excerpt("word " * 100, 20)) <= 20


def test_sniff_by_content_not_name():
    assert sniff(b"\x89PNG\r\n\x1a\n....") == ("image/png", "png")
    assert sniff(b"\xff\xd8\xff\xe0") == ("image/jpeg", "jpg")
    assert sniff(b"GIF89a") == ("image/gif", "gif")
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == ("image/webp", "webp")
    assert sniff(b"%PDF-1.7") == ("application/pdf", "pdf")
    for bad in (b"<svg", b"<html>", b"MZ\x90", b"PK\x03\x04", b""):
        assert sniff(bad) is None


def test_safe_filename():
    assert safe_filename("../../etc/passwd.png", "png") == "passwd.png"
    assert safe_filename("C:\\Users\\me\\photo.JPG", "jpg") == "photo.jpg"
    assert safe_filename("<script>.pdf", "pdf") == "script.pdf"
    assert safe_filename("", "pdf") == "file.pdf"
    assert safe_filename("report.exe", "pdf") == "report.pdf"
