"""The certificate as an A4 landscape PDF (fpdf2). The bundled DejaVu fonts cover
every European script (Greek, Cyrillic, Latin with diacritics), are embedded as
subsets with a ToUnicode map, so the text stays extractable and searchable."""
from __future__ import annotations

import io
from pathlib import Path

import segno
from flask_babel import force_locale, format_date, format_decimal, get_locale
from flask_babel import gettext as _
from fpdf import FPDF

from .models import Certificate

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVu"
BRAND = (11, 93, 107)  # the site's --brand colour
INK = (29, 35, 41)
MUTED = (79, 91, 102)
QR_SIZE_MM = 38


def qr_code(url: str) -> segno.QRCode:
    """The QR code printed on the certificate: the public verification URL."""
    return segno.make(url, error="m", micro=False)


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()


def hours_text(hours: float) -> str:
    return format_decimal(round(hours or 0, 1), format="#,##0.#")


def _fitting_size(pdf: FPDF, text: str, largest: float, smallest: float) -> float:
    """The largest bold size (down to ``smallest``) at which ``text`` fits one line."""
    size = largest
    while size > smallest:
        pdf.set_font(FONT, "B", size)
        if pdf.get_string_width(text) <= pdf.epw:
            break
        size -= 2
    return size


def render_certificate(cert: Certificate, verify_url: str, earning: str = "completed") -> bytes:
    """In the certificate's own language (its title was recorded in it). ``earning``
    (services.certificate_earning) decides the wording: a course completed, or a
    certificate awarded by a trainer, with the trainer's note."""
    with force_locale(cert.language or "en"):
        return _render(cert, verify_url, awarded=earning == "awarded")


def _render(cert: Certificate, verify_url: str, awarded: bool = False) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    heading = _("Certificate") if awarded else _("Certificate of completion")
    pdf.set_title(_("Certificate: %(course)s", course=cert.course_title) if awarded
                  else _("Certificate of completion: %(course)s", course=cert.course_title))
    pdf.set_author(cert.issuer)
    pdf.set_subject(cert.course_title)
    pdf.set_creator(cert.issuer)
    pdf.set_lang(str(get_locale() or "en"))  # the document language for screen readers
    pdf.add_page()

    width, height = pdf.w, pdf.h
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.3)
    pdf.rect(11, 11, width - 22, height - 22)

    def line(text: str, size: float, style: str = "", color=INK, gap: float = 2.0, h: float | None = None):
        pdf.set_font(FONT, style, size)
        pdf.set_text_color(*color)
        pdf.multi_cell(0, h or size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    pdf.set_y(26)
    line(cert.issuer.upper(), 12, "B", BRAND, gap=6)
    line(heading, 30, "B", BRAND, gap=8)
    line(_("This certifies that"), 14, color=MUTED, gap=3)
    line(cert.learner_name, _fitting_size(pdf, cert.learner_name, 28, 16), "B", gap=5)
    line(_("was awarded this certificate by a trainer for the course") if awarded
         else _("has completed the course"), 14, color=MUTED, gap=3)
    line(cert.course_title, 20, "B", gap=7)

    details = [_("Date: %(date)s", date=format_date(cert.issued_at, "long"))]
    if cert.hours:
        details.append(_("Hours: %(hours)s", hours=hours_text(cert.hours)))
    details.append(_("Issued by: %(issuer)s", issuer=cert.issuer))
    line("   ·   ".join(details), 12, gap=3)
    if cert.note:
        line(_("Trainer's note: %(note)s", note=cert.note) if awarded else cert.note, 10, color=MUTED, gap=2)

    # Footer: code and URL on the left, QR code on the right.
    qr_x, qr_y = width - 20 - QR_SIZE_MM, height - 18 - QR_SIZE_MM
    pdf.image(io.BytesIO(qr_png(verify_url)), x=qr_x, y=qr_y, w=QR_SIZE_MM, h=QR_SIZE_MM,
              alt_text=_("QR code linking to the verification page"))
    pdf.set_xy(20, height - 18 - 24)
    pdf.set_font(FONT, "", 10)
    pdf.set_text_color(*MUTED)
    text_width = qr_x - 25
    pdf.multi_cell(text_width, 5, _("Verification code: %(code)s", code=cert.display_code),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(text_width, 5, _("Verify this certificate at:"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*BRAND)
    pdf.multi_cell(text_width, 5, verify_url, link=verify_url, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
