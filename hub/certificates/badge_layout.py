"""Where the words go on the badge image (certificates/badge.svg): the issuer above the
tick, the course name below it, both inside the gold ring. A long name is wrapped on
two lines and set smaller before it is shortened, so no letter touches the ring.

Pure functions: the SVG is drawn by the browser or a badge backpack, so text widths
are estimated from the font size (DejaVu Sans averages under 0.58 em per character in
mixed-case text, its bold about 0.66 em) and the ring keeps a margin."""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass

CENTRE = 200
RING_INNER = 166  # the ring's circle is r=170 with an 8-unit stroke
PADDING = 14
AVERAGE_WIDTH = 0.58  # of the font size, regular
AVERAGE_WIDTH_BOLD = 0.66


@dataclass(frozen=True)
class TextBlock:
    size: int
    lines: tuple[str, ...]
    baselines: tuple[float, ...]


def room_at(y_top: float, y_bottom: float) -> float:
    """The width free inside the ring across the band from ``y_top`` to ``y_bottom``
    (its narrowest place, the edge farther from the centre), less some padding."""
    far = max(abs(y_top - CENTRE), abs(y_bottom - CENTRE))
    if far >= RING_INNER:
        return 0.0
    return 2 * math.sqrt(RING_INNER ** 2 - far ** 2) - 2 * PADDING


def _fits(lines: list[str], size: int, width_factor: float, first_baseline: float, line_gap: float,
          grow_down: bool) -> tuple[bool, tuple[float, ...]]:
    baselines = tuple(first_baseline + (i if grow_down else i - (len(lines) - 1)) * line_gap
                      for i in range(len(lines)))
    for text, baseline in zip(lines, baselines, strict=True):
        room = room_at(baseline - 0.8 * size, baseline + 0.25 * size)
        if len(text) * size * width_factor > room:
            return False, baselines
    return True, baselines


def fit_text(text: str, *, baseline: float, sizes: tuple[int, ...], max_lines: int, bold: bool = False,
             grow_down: bool = True) -> TextBlock:
    """The largest of ``sizes`` at which ``text`` fits inside the ring in at most
    ``max_lines`` lines (words kept whole), starting at ``baseline`` and adding lines
    downwards (``grow_down``) or upwards. When even the smallest size is too small,
    the last line is shortened with an ellipsis."""
    text = " ".join((text or "").split())
    factor = AVERAGE_WIDTH_BOLD if bold else AVERAGE_WIDTH
    for size in sizes:
        gap = size * 1.2
        for count in range(1, max_lines + 1):
            lines = [text] if count == 1 else _wrap(text, count)
            if lines is None:
                continue
            ok, baselines = _fits(lines, size, factor, baseline, gap, grow_down)
            if ok:
                return TextBlock(size, tuple(lines), baselines)
    return _cut(text, sizes[-1], factor, baseline, max_lines, grow_down)


def _cut(text: str, size: int, factor: float, baseline: float, max_lines: int, grow_down: bool) -> TextBlock:
    """The last resort: fill the lines word by word, each up to its room, and end the
    last one with an ellipsis, so only the end of the name is left out."""
    _ok, baselines = _fits([""] * max_lines, size, factor, baseline, size * 1.2, grow_down)
    words = text.split()
    lines: list[str] = []
    for at in baselines:
        room = max(2, int(room_at(at - 0.8 * size, at + 0.25 * size) // (size * factor)))
        line = ""
        while words and len(f"{line} {words[0]}".strip()) <= room:
            line = f"{line} {words.pop(0)}".strip()
        if not line and words:  # one word longer than the line
            line = _shorten(words.pop(0), room)
        if words and at == baselines[-1]:
            line = _shorten(f"{line} {' '.join(words)}", room)
        lines.append(line)
    kept = [(line, at) for line, at in zip(lines, baselines, strict=True) if line]
    return TextBlock(size, tuple(line for line, _at in kept), tuple(at for _line, at in kept))


def _wrap(text: str, count: int) -> list[str] | None:
    """``text`` in ``count`` lines of about equal length, or None if it has too few words."""
    words = text.split()
    if len(words) < count:
        return None
    width = max(len(w) for w in words)
    while True:
        lines = textwrap.wrap(text, width)
        if len(lines) <= count:
            return lines
        width += 1


def _shorten(line: str, limit: int) -> str:
    limit = max(limit, 2)
    if len(line) <= limit:
        return line
    return line[:limit - 1].rstrip() + "…"


def badge_texts(issuer: str, course_title: str) -> dict[str, TextBlock]:
    """The issuer (up to two bold lines above the tick) and the course name (up to four lines
    below it), each at a size that keeps it inside the ring."""
    return {
        "issuer": fit_text(issuer, baseline=112, sizes=(22, 20, 18, 16, 14), max_lines=2, bold=True,
                           grow_down=False),
        "course": fit_text(course_title, baseline=284, sizes=(20, 18, 16, 14, 13, 12), max_lines=4),
    }
