"""A practice as an A4 PDF to print or pass on, with the certificates' PDF stack
(fpdf2 and the bundled DejaVu fonts, so Greek, Czech or Danish text prints)."""
from __future__ import annotations

import re

from flask_babel import get_locale
from flask_babel import gettext as _
from fpdf import FPDF

from ..certificates.pdf import BRAND, FONT, FONT_DIR, INK, MUTED
from . import vocab
from .models import SECTIONS, Practice
from .ranking import Profile

# DejaVu is bundled in regular and bold: italics and code print as regular text.
_PLAIN_TAGS = re.compile(r"</?(em|i|code|span|div)(\s[^>]*)?>", re.IGNORECASE)


def _pdf_html(html: str) -> str:
    return _PLAIN_TAGS.sub("", html)


def render_practice(practice: Practice, profile: Profile, rows: list, url: str, facts: list[tuple[str, str]]) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(practice.title)
    pdf.set_creator("Inclusion Hub")
    pdf.set_lang(str(get_locale() or "en"))
    pdf.add_page()

    pdf.set_text_color(*BRAND)
    pdf.set_font(FONT, "B", 18)
    pdf.multi_cell(0, 8, practice.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, "", 10)
    if practice.motto:
        pdf.multi_cell(0, 5, f"“{practice.motto}”", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", 11)
    pdf.ln(1)
    pdf.multi_cell(0, 5.5, practice.summary, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if profile.percent is not None and profile.label:
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(*BRAND)
        pdf.cell(0, 7, f"{profile.percent:.0f}% · {vocab.LABELS[profile.label]}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)

    pdf.set_font(FONT, "", 9.5)
    for label, value in facts:
        if not value:
            continue
        pdf.set_font(FONT, "B", 9.5)
        pdf.cell(48, 5, label)
        pdf.set_font(FONT, "", 9.5)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")

    for stem in SECTIONS:
        html = getattr(practice, f"{stem}_html")
        if not html:
            continue
        _heading(pdf, str(_section_label(stem)), 10)
        pdf.write_html(_pdf_html(html), font_family=FONT, li_prefix_color=BRAND, ul_bullet_char="•")

    _heading(pdf, _("Score profile"))
    for row in rows:
        mean = "–" if row.mean is None else f"{row.mean:.1f}"
        pdf.cell(120, 5, f"{row.label} (×{row.weight:g})")
        pdf.cell(0, 5, mean, new_x="LMARGIN", new_y="NEXT")

    _heading(pdf, _("Sources"))
    for source in practice.sources:
        pdf.multi_cell(0, 5, f"• {source['title']}" + (f" — {source['url']}" if source.get("url") else ""),
                       new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, "", 8.5)
    pdf.multi_cell(0, 4.5, _("From the Inclusion Hub good-practice collection: %(url)s", url=url),
                   new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, body_size: float = 9.5) -> None:
    """A section heading in the brand colour; the text after it in ``body_size``."""
    pdf.ln(3)
    pdf.set_font(FONT, "B", 13)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, "", body_size)


def _section_label(stem: str):
    return {"description": _("Description"), "results": _("Results"), "success_factors": _("Success factors"),
            "challenges": _("Challenges and lessons learnt"), "transferability": _("Transferability")}[stem]
