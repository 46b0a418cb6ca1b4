"""The one Markdown pipeline: Markdown → HTML → bleach allowlist → linkify.

Lessons, quiz texts, forum posts and practices all go through ``render_markdown``;
the result is stored next to the source when content is saved, so pages never
sanitise on read and never render unsanitised HTML."""
from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from html import unescape
from typing import Mapping

import bleach
import markdown
from bleach.html5lib_shim import Filter as Html5libFilter  # type: ignore[attr-defined]
from bleach.linkifier import LinkifyFilter
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Classes Markdown's own extensions write; user text cannot add classes (no attr_list).
ALLOWED_CLASSES = frozenset({
    "admonition", "admonition-title", "tip", "note", "warning", "checklist", "example",
    "important", "hint", "caution", "danger", "footnote", "footnote-ref", "footnote-backref",
    "footnotes", "quote-source",
})
_FOOTNOTE_ID = re.compile(r"^fn(ref)?:[\w-]+$")
_CODE_CLASS = re.compile(r"^language-[a-z0-9+#-]{1,30}$")
_ALIGN = frozenset({"left", "right", "center"})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name in {"href", "title"}:
        return True
    if tag == "a" and name == "rel":
        return True
    if tag == "img" and name in {"src", "alt", "title"}:
        return True
    if tag in {"td", "th"} and name == "align":
        return value in _ALIGN
    if name == "id" and tag in {"li", "sup", "a"}:
        return bool(_FOOTNOTE_ID.match(value))
    if name == "class" and tag in {"div", "p", "a", "sup", "blockquote"}:
        return all(part in ALLOWED_CLASSES for part in value.split())
    if name == "class" and tag == "code":
        return bool(_CODE_CLASS.match(value))
    if tag == "abbr" and name == "title":
        return True
    if tag == "ol" and name == "start":
        return value.isdigit()
    return False


class _MediaLinks(Treeprocessor):
    """Points relative image and file links at the owner's media URL."""

    def __init__(self, md, base: str):
        super().__init__(md)
        self.base = base.rstrip("/") + "/"

    def run(self, root: etree.Element) -> None:
        for el in root.iter():
            attr = "src" if el.tag == "img" else "href" if el.tag == "a" else None
            if not attr:
                continue
            value = el.get(attr, "")
            if value.startswith(("images/", "files/", "./images/", "./files/")):
                name = value.split("/")[-1]
                el.set(attr, self.base + name)


class _MediaLinksExtension(Extension):
    def __init__(self, base: str):
        super().__init__()
        self.base = base

    def extendMarkdown(self, md):
        md.treeprocessors.register(_MediaLinks(md, self.base), "hub_media_links", 1)


MAX_NESTING = 16
# A run of list or quote markers opening a line: each one nests a level deeper.
_MARKER_RUN = re.compile(r"^((?:[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+|[ \t]{0,3}>[ \t]?)+)")
_ONE_MARKER = re.compile(r"[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+|[ \t]{0,3}>[ \t]?")


def limit_nesting(text: str, depth: int = MAX_NESTING) -> str:
    """Escape the list and quote markers beyond ``depth`` at the start of a line, so
    "- - - - ... x" reads as text instead of nesting hundreds of levels (which makes
    Python-Markdown recurse until it fails)."""
    def shallow(line: str) -> str:
        run = _MARKER_RUN.match(line)
        if run is None:
            return line
        markers = _ONE_MARKER.findall(run.group(1))
        if len(markers) <= depth:
            return line
        kept = "".join(markers[:depth])
        rest = line[len(kept):]
        stripped = rest.lstrip(" \t")
        return kept + rest[:len(rest) - len(stripped)] + "\\" + stripped
    return "\n".join(shallow(line) for line in text.split("\n"))


def _markdown_to_html(text: str, media_base: str | None) -> str:
    extensions: list[str | Extension] = [
        "markdown.extensions.tables",
        "markdown.extensions.fenced_code",
        "markdown.extensions.footnotes",
        "markdown.extensions.admonition",
        "markdown.extensions.sane_lists",
        "markdown.extensions.abbr",
    ]
    if media_base:
        extensions.append(_MediaLinksExtension(media_base))
    return markdown.markdown(
        text or "",
        extensions=extensions,
        extension_configs={"markdown.extensions.tables": {"use_align_attribute": True}},
        output_format="html",
    )


def _nofollow_external(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if href.startswith(("http://", "https://")):
        attrs[(None, "rel")] = "nofollow noopener noreferrer"
    return attrs


class _ImagesNeedAlt(Html5libFilter):
    """Drops images without an ``alt`` attribute: only raw HTML can write one (Markdown
    images always carry their alt text, empty for a decorative image), and a screen
    reader announces such an image by its file name."""

    def __iter__(self):
        for token in super().__iter__():
            if token.get("type") in ("StartTag", "EmptyTag") and token.get("name") == "img" \
                    and (None, "alt") not in (token.get("data") or {}):
                continue
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[_ImagesNeedAlt,
             lambda source: LinkifyFilter(source, callbacks=[_nofollow_external], skip_tags={"pre", "code"})],
)


def render_markdown(text: str | None, media_base: str | None = None,
                    terms: Mapping[str, str] | None = None) -> Markup:
    """Safe HTML for ``text``. ``media_base`` resolves ``images/x.png`` links;
    ``terms`` (glossary term -> its address) links each term's first use."""
    try:
        html = _cleaner.clean(_markdown_to_html(limit_nesting(text or ""), media_base))
    except RecursionError:  # a shape limit_nesting does not foresee: show the text, never fail
        html = f"<p>{escape(text or '')}</p>"
    return Markup(link_terms(html, terms) if terms else html)


# Inside these the text is a link, code or a heading already: no glossary links there.
_NO_TERM_LINKS = frozenset({"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_TAG = re.compile(r"(<[^>]+>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")


def link_terms(html: str, terms: Mapping[str, str]) -> str:
    """Link the first use of each glossary term in sanitised ``html`` (whole words, any
    case), outside links, code and headings. Runs on our own renderer's output, after
    sanitising, so the links it adds are the only markup it writes."""
    usable = {term.strip(): url for term, url in terms.items() if len(term.strip()) >= 3}
    if not usable:
        return html
    lookup = {term.casefold(): url for term, url in usable.items()}
    words = sorted(usable, key=len, reverse=True)  # longest first: "asylum seeker" before "asylum"
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in words) + r")(?![\w-])", re.IGNORECASE)
    linked: set[str] = set()
    depth = 0

    def link(match: re.Match) -> str:
        key = match.group(1).casefold()
        if key in linked or key not in lookup:
            return match.group(0)
        linked.add(key)
        return f'<a class="term" href="{escape(lookup[key])}">{match.group(1)}</a>'

    out = []
    for part in _TAG.split(html):
        if part.startswith("<"):
            tag = _TAG_NAME.match(part)
            if tag and tag.group(2).lower() in _NO_TERM_LINKS and not part.endswith("/>"):
                depth = max(0, depth - 1) if tag.group(1) else depth + 1
            out.append(part)
        else:
            out.append(part if depth or not part.strip() else pattern.sub(link, part))
    return "".join(out)


def plain_text(html: str) -> str:
    """Text of rendered HTML, for snippets, search, mails and word counts: tags
    stripped and entities decoded ("&lt;" is "<" again), so whoever shows it escapes
    it once."""
    return re.sub(r"\s+", " ", unescape(bleach.clean(html, tags=set(), strip=True))).strip()
