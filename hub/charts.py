"""Small server-rendered SVG charts: no JavaScript, no CDN, no inline ``style``
(the CSP forbids it) — only SVG presentation attributes. Each chart has a title
and description for screen readers; pages show the numbers in a table too."""
from __future__ import annotations

from markupsafe import Markup, escape

BAR = "#0b5d6b"
BAR_SOFT = "#9cc7cf"
INK = "#1d2329"
MUTED = "#4f5b66"
GRID = "#d4dae0"
FONT = 'font-family="system-ui, sans-serif"'


def _svg(width: int, height: int, title: str, desc: str, body: list[str], chart_id: str) -> Markup:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
            f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" {FONT}>'
            f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def funnel_chart(steps: list[tuple[str, int]], title: str, chart_id: str = "funnel") -> Markup:
    """Horizontal bars, one per step, each with its count and share of the first."""
    width, label_w, row_h, pad = 640, 150, 34, 8
    height = pad * 2 + row_h * max(1, len(steps))
    top = steps[0][1] if steps else 0
    bar_w = width - label_w - 110
    body = []
    for i, (label, value) in enumerate(steps):
        y = pad + i * row_h
        share = (value / top) if top else 0
        w = max(0.0, bar_w * share)
        body.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 5:.1f}" text-anchor="end" font-size="14" '
                    f'fill="{INK}">{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{bar_w}" height="{row_h - 10}" fill="#f3f6f8"/>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row_h - 10}" fill="{BAR}"/>')
        percent = f" ({round(share * 100)}%)" if top else ""
        body.append(f'<text x="{label_w + bar_w + 8}" y="{y + row_h / 2 + 5:.1f}" font-size="14" '
                    f'fill="{INK}">{value}{percent}</text>')
    desc = "; ".join(f"{label}: {value}" for label, value in steps)
    return _svg(width, height, title, desc, body, chart_id)


def column_chart(columns: list[tuple[str, int]], title: str, chart_id: str = "timeline") -> Markup:
    """Vertical bars over time (e.g. completions per month) with a light grid."""
    width, height, left, bottom, top_pad = 640, 240, 40, 36, 16
    n = max(1, len(columns))
    peak = max([value for _, value in columns] + [1])
    scale_top = _nice_ceiling(peak)
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    slot = plot_w / n
    body = []
    for step in range(0, 5):
        value = scale_top * step / 4
        y = top_pad + plot_h - plot_h * step / 4
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{MUTED}">'
                    f'{value:g}</text>')
    for i, (label, value) in enumerate(columns):
        h = plot_h * value / scale_top
        x = left + i * slot + slot * 0.15
        y = top_pad + plot_h - h
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{BAR}">'
                    f'<title>{escape(label)}: {value}</title></rect>')
        if value:
            body.append(f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="11" '
                        f'fill="{INK}">{value}</text>')
        if n <= 12 or i % max(1, n // 12) == 0:
            body.append(f'<text x="{x + slot * 0.35:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                        f'font-size="11" fill="{MUTED}">{escape(label)}</text>')
    desc = "; ".join(f"{label}: {value}" for label, value in columns)
    return _svg(width, height, title, desc, body, chart_id)


def score_chart(rows: list[tuple[str, float | None]], maximum: float, title: str,
                chart_id: str = "scores") -> Markup:
    """Horizontal bars on a fixed scale (e.g. indicator means 0-3); ``None`` = not scored."""
    width, label_w, row_h, pad = 640, 300, 28, 8
    height = pad * 2 + row_h * max(1, len(rows)) + 18
    bar_w = width - label_w - 60
    body = []
    for step in range(int(maximum) + 1):
        x = label_w + bar_w * step / maximum
        body.append(f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{height - 22}" stroke="{GRID}" stroke-width="1"/>')
        body.append(f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" font-size="11" fill="{MUTED}">'
                    f'{step}</text>')
    for i, (label, value) in enumerate(rows):
        y = pad + i * row_h
        body.append(f'<text x="{label_w - 8}" y="{y + row_h / 2 + 4:.1f}" text-anchor="end" font-size="12" '
                    f'fill="{INK}">{escape(label)}</text>')
        if value is None:
            body.append(f'<text x="{label_w + 4}" y="{y + row_h / 2 + 4:.1f}" font-size="12" fill="{MUTED}">–</text>')
            continue
        w = bar_w * max(0.0, min(value, maximum)) / maximum
        body.append(f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{BAR}"/>')
        body.append(f'<text x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 4:.1f}" font-size="12" '
                    f'fill="{INK}">{value:.1f}</text>')
    desc = "; ".join(f"{label}: {'–' if value is None else f'{value:.1f}'} of {maximum:g}" for label, value in rows)
    return _svg(width, height, title, desc, body, chart_id)


def _nice_ceiling(value: int) -> int:
    """The top of the axis: four grid steps of a round size (1, 2, 5 × 10ⁿ)."""
    step = max(1, -(-value // 4))
    magnitude = 1
    while magnitude * 10 <= step:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= step:
            return factor * magnitude * 4
    return step * 4  # pragma: no cover
