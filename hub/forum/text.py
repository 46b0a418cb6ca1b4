"""Pure text helpers for posts: @mentions and quotes. No Flask, no database.

A mention is ``@[Display Name]`` (the editor inserts it; names may contain spaces),
``@[Display Name#12]`` when several members share the name, or ``@Name`` for a name
without spaces. Mentions inside code spans and fenced code blocks are left alone."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

_BRACKETED = r"@\[(?P<name>[^\[\]\n#]{1,120}?)(?:#(?P<id>\d{1,10}))?\]"
_BARE = r"@(?P<bare>[^\W_][\w.'-]{0,59}[\w])"
MENTION = re.compile(rf"(?<![\w@/\\])(?:{_BRACKETED}|{_BARE})")
_FENCE = re.compile(r"^(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~-])")


@dataclass(frozen=True)
class Mention:
    name: str
    user_id: int | None = None  # from the ``#12`` suffix

    @property
    def key(self) -> str:
        return normalise_name(self.name)


def normalise_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _prose_segments(text: str) -> list[tuple[bool, str]]:
    """Split into (is_prose, chunk): fenced code blocks and code spans are not prose."""
    segments: list[tuple[bool, str]] = []
    in_fence = None
    buffer: list[str] = []
    for line in text.splitlines(keepends=True):
        fence = _FENCE.match(line.lstrip())
        if in_fence:
            buffer.append(line)
            if fence and fence.group(1) == in_fence:
                segments.append((False, "".join(buffer)))
                buffer, in_fence = [], None
            continue
        if fence:
            if buffer:
                segments.append((True, "".join(buffer)))
            buffer, in_fence = [line], fence.group(1)
            continue
        buffer.append(line)
    if buffer:
        segments.append((in_fence is None, "".join(buffer)))
    result: list[tuple[bool, str]] = []
    for prose, chunk in segments:
        if not prose:
            result.append((False, chunk))
            continue
        last = 0
        for match in _CODE_SPAN.finditer(chunk):
            result.append((True, chunk[last:match.start()]))
            result.append((False, match.group(0)))
            last = match.end()
        result.append((True, chunk[last:]))
    return [(prose, chunk) for prose, chunk in result if chunk]


def find_mentions(text: str, include_quotes: bool = True) -> list[Mention]:
    """Mentions in order of appearance, each once. Without ``include_quotes`` the
    lines of blockquotes are skipped: quoting a post does not mention its mentions."""
    text = text or ""
    if not include_quotes:
        text = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith(">"))
    found: dict[tuple[str, int | None], Mention] = {}
    for prose, chunk in _prose_segments(text):
        if not prose:
            continue
        for match in MENTION.finditer(chunk):
            name = (match.group("name") or match.group("bare") or "").strip()
            if not name:
                continue
            mention = Mention(name=name, user_id=int(match.group("id")) if match.group("id") else None)
            found.setdefault((mention.key, mention.user_id), mention)
    return list(found.values())


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def link_mentions(text: str, resolve: Callable[[Mention], tuple[str, str] | None]) -> str:
    """Replace each resolvable mention by a Markdown link ``[@Name](url)``;
    ``resolve`` gives (display name, url) or None to leave the text as written."""
    out: list[str] = []
    for prose, chunk in _prose_segments(text or ""):
        if not prose:
            out.append(chunk)
            continue

        def replace(match: re.Match) -> str:
            name = (match.group("name") or match.group("bare") or "").strip()
            mention = Mention(name=name, user_id=int(match.group("id")) if match.group("id") else None)
            target = resolve(mention) if name else None
            if target is None:
                return match.group(0)
            display, url = target
            return f"[@{escape_markdown(display)}]({url})"

        out.append(MENTION.sub(replace, chunk))
    return "".join(out)


def mention_token(name: str, user_id: int | None = None) -> str:
    """What the editor inserts for a member (the id only when the name is shared)."""
    clean = re.sub(r"[\[\]#\n]", " ", name).strip()
    return f"@[{clean}#{user_id}]" if user_id else f"@[{clean}]"


def quote(author: str, url: str, body_md: str, wrote: str = "%(name)s wrote:") -> str:
    """Markdown blockquote of ``body_md`` headed by the author linked to the post.
    Plain Markdown, so it survives the sanitiser without extra classes. ``wrote`` is
    the header in the quoting member's language, with ``%(name)s`` for the author."""
    lines = (body_md or "").strip().splitlines() or [""]
    quoted = "\n".join(f"> {line}".rstrip() for line in lines)
    header = wrote % {"name": f"[{escape_markdown(author)}]({url})"}
    return f"> **{header}**\n>\n{quoted}\n\n"


def excerpt(text: str, limit: int = 300) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
