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
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.preprocessors import Preprocessor
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


_QUOTE_PREFIX = re.compile(r"^((?:[ ]{0,3}>[ ]?)+)(.*)$")
_OPEN_FENCE = re.compile(r"^(`{3,}|~{3,})[ \t]*\.?([\w#.+-]*)[ \t]*$")


class _QuotedFences(Preprocessor):
    """Fenced code inside a blockquote. Python-Markdown finds fences only at the start
    of a line, so ``> ```` `` turned a quoted code block into one line of inline code.
    Runs after ``fenced_code`` (top-level fences are stashed already) and stashes each
    quoted block the same way, leaving its placeholder in the quote."""

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            block = self._fenced_block(lines, index)
            if block is None:
                out.append(lines[index])
                index += 1
                continue
            prefix, lang, code, index = block
            css = f' class="language-{lang}"' if lang else ""
            code_html = escape("".join(line + "\n" for line in code))
            placeholder = self.md.htmlStash.store(f"<pre><code{css}>{code_html}</code></pre>")
            out.extend([prefix, prefix, prefix + placeholder, prefix, prefix])  # blank in nested quotes too
        return out

    @staticmethod
    def _fenced_block(lines: list[str], start: int):
        """(quote prefix, language, code lines, index after the block) or None."""
        first = _QUOTE_PREFIX.match(lines[start])
        opening = _OPEN_FENCE.match(first.group(2)) if first else None
        if first is None or opening is None:
            return None
        depth, fence = first.group(1).count(">"), opening.group(1)
        code: list[str] = []
        for index in range(start + 1, len(lines)):
            line = _QUOTE_PREFIX.match(lines[index])
            if line is None or line.group(1).count(">") != depth:
                return None  # the quote ends before the fence closes: leave it as written
            rest = line.group(2)
            if rest.strip().startswith(fence) and set(rest.strip()) == {fence[0]}:
                return "> " * depth, opening.group(2), code, index + 1
            code.append(rest)
        return None


class _HubSyntax(Extension):
    """``~~text~~`` → ``<del>`` (after code spans, so code keeps its tildes) and fenced
    code inside quotes."""

    def extendMarkdown(self, md):
        md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~{2})(?!~)(.+?)(?<!~)~{2}", "del"), "hub_del", 45)
        md.preprocessors.register(_QuotedFences(md), "hub_quoted_fences", 24)  # fenced_code is 25


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


def _markdown_to_html(text: str, media_base: str | None, line_breaks: bool = False) -> str:
    extensions: list[str | Extension] = [
        _HubSyntax(),
        "markdown.extensions.tables",
        "markdown.extensions.fenced_code",
        "markdown.extensions.footnotes",
        "markdown.extensions.admonition",
        "markdown.extensions.sane_lists",
        "markdown.extensions.abbr",
    ]
    if media_base:
        extensions.append(_MediaLinksExtension(media_base))
    if line_breaks:
        extensions.append("markdown.extensions.nl2br")
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
                    terms: Mapping[str, str] | None = None, line_breaks: bool = False) -> Markup:
    """Safe HTML for ``text``. ``media_base`` resolves ``images/x.png`` links;
    ``terms`` (glossary term -> its address) links each term's first use;
    ``line_breaks`` keeps a single line break as one (forum posts, as people write
    messages; lessons and practices keep Markdown's joined lines)."""
    try:
        html = _cleaner.clean(_markdown_to_html(limit_nesting(text or ""), media_base, line_breaks))
    except RecursionError:  # a shape limit_nesting does not foresee: show the text, never fail
        html = f"<p>{escape(text or '')}</p>"
    return Markup(link_terms(html, terms) if terms else html)


def render_html(html: str | None) -> Markup:
    """Safe HTML for text written as HTML (Moodle's HTML format): the same allowlist as
    :func:`render_markdown`, without reading it as Markdown, so indented lines and
    ``<pre>`` blocks keep their spaces and ``*`` stays a star."""
    return Markup(_cleaner.clean(html or ""))


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
