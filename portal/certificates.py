"""Certificates as PDF, in Chinese, set in a font every PDF reader has built in."""

import io
from collections.abc import Sequence

from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

# Adobe's standard Simplified Chinese font: referenced, not embedded, so no font file is needed.
FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def certificate_pdf(heading: str, lines: Sequence[str], issuer: str, number: str) -> bytes:
    """A framed A4 landscape page: the heading, the text lines, the issuer, today and a number."""
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{heading.replace(' ', '')} {number}")
    pdf.setAuthor(issuer)
    pdf.setLineWidth(3)
    pdf.rect(30, 30, width - 60, height - 60)
    pdf.setLineWidth(1)
    pdf.rect(40, 40, width - 80, height - 80)

    pdf.setFont(FONT, 36)
    pdf.drawCentredString(width / 2, height - 130, heading)
    pdf.setFont(FONT, 18)
    y = height - 210
    for line in lines:
        pdf.drawString(110, y, line)
        y -= 40
    pdf.setFont(FONT, 14)
    pdf.drawRightString(width - 110, 150, issuer)
    pdf.drawRightString(width - 110, 125, f"{timezone.localdate():%Y年%m月%d日}")
    pdf.setFont(FONT, 11)
    pdf.drawString(110, 80, f"证明编号：{number}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
