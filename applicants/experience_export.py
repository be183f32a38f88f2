"""The experience log as CSV rows and as a PDF laid out like the ERAS "Experience" section.

Pure functions: they take entries (and, for the PDF, a header dict) and return data; the views
fetch, and serve the result.
"""

import io
import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import HRFlowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

CSV_HEADER = ["Start date", "End date", "Institution", "Specialty", "Setting", "Hours", "Supervisor",
              "Duties", "Source"]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# PDF core fonts know only Western European letters (Ş, ễ, Cyrillic… come out as boxes); DejaVu
# Sans has them all, and is used wherever the system has it (Debian: fonts-dejavu-core).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def header_of(user, profile) -> dict:
    """The PDF's heading: the legal name of the profile, else the account's name."""
    return {
        "name": (profile.legal_name if profile else "") or str(user),
        "medical_school": profile.medical_school if profile else "",
        "graduation_year": profile.graduation_year if profile else None,
    }


def total_hours(entries) -> int:
    return sum(entry.hours for entry in entries)


def date_range(entry) -> str:
    return f"{entry.start_date:%m/%Y} – {entry.end_date:%m/%Y}"


def position(entry) -> str:
    return f"{entry.get_specialty_display()} ({entry.get_setting_display().lower()})"


# CSV

def spreadsheet_safe(value) -> str:
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_rows(entries, supplements: dict | None = None) -> list[list[str]]:
    """The header, then one row per entry with ISO dates; every cell safe to open in a spreadsheet.

    `supplements` ({entry id: [(title, [(label, text), ...]), ...]}, see `hooks.experience_supplements`)
    adds one column per "title: label", empty for the entries without it."""
    supplements = supplements or {}
    extra = list(dict.fromkeys(f"{title}: {label}" for found in supplements.values()
                               for title, items in found for label, _ in items))
    rows = [CSV_HEADER + extra]
    for entry in entries:
        cells = {f"{title}: {label}": text for title, items in supplements.get(entry.pk, []) for label, text in items}
        rows.append([spreadsheet_safe(value) for value in (
            entry.start_date.isoformat(), entry.end_date.isoformat(), entry.institution,
            entry.get_specialty_display(), entry.get_setting_display(), entry.hours, entry.supervisor,
            entry.duties, "Rotamatch placement" if entry.from_placement else "Added by the applicant",
            *(cells.get(column, "") for column in extra),
        )])
    return rows


# PDF

@cache
def _fonts() -> tuple[str, str]:
    """(regular, bold) font names, registered once per process."""
    regular, bold = DEJAVU_DIR / "DejaVuSans.ttf", DEJAVU_DIR / "DejaVuSans-Bold.ttf"
    if not (regular.is_file() and bold.is_file()):
        return "Helvetica", "Helvetica-Bold"
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(regular)))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(bold)))
    pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                  italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
    return "DejaVuSans", "DejaVuSans-Bold"


def markup_safe(text) -> str:
    """Plain text as reportlab Paragraph markup: `<b>` and `&` print as typed, line breaks stay."""
    text = _CONTROL_CHARS.sub("", str(text).replace("\r\n", "\n").replace("\r", "\n"))
    return escape(text).replace("\n", "<br/>")


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13.5)
    return {
        "body": body,
        "name": ParagraphStyle("name", parent=body, fontName=bold, fontSize=18, leading=22),
        "meta": ParagraphStyle("meta", parent=body, textColor=colors.HexColor("#444444")),
        "section": ParagraphStyle("section", parent=body, fontName=bold, fontSize=13, leading=16,
                                  spaceBefore=14),
        "position": ParagraphStyle("position", parent=body, fontName=bold, fontSize=11, leading=14),
        "label": ParagraphStyle("label", parent=body, fontName=bold, textColor=colors.HexColor("#444444"),
                                spaceBefore=2),
        "note": ParagraphStyle("note", parent=body, fontSize=8.5, textColor=colors.HexColor("#555555")),
        "total": ParagraphStyle("total", parent=body, fontName=bold, fontSize=11, spaceBefore=6),
    }


def _heading(header: dict, styles) -> list:
    facts = [f"Medical school: {header['medical_school']}" if header.get("medical_school") else "",
             f"Graduation year: {header['graduation_year']}" if header.get("graduation_year") else ""]
    flowables = [Paragraph(markup_safe(header["name"]), styles["name"])]
    if any(facts):
        flowables.append(Paragraph(markup_safe(" · ".join(f for f in facts if f)), styles["meta"]))
    return flowables + [Paragraph("Clinical Experience", styles["section"]),
                        HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=8)]


def _label_table(rows, styles, label_width=1.2 * inch) -> Table:
    table = Table([[Paragraph(markup_safe(label), styles["label"]), Paragraph(markup_safe(value), styles["body"])]
                   for label, value in rows if value],
                  colWidths=[label_width, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _supplement(title, items, styles) -> list:
    """A block the applicant chose to add (a preceptor's evaluation): its title, then its items;
    long texts below the short ones, since a paragraph may run over a page and a table row may not."""
    short = [(label, text) for label, text in items if len(text) <= 90]
    flowables = [Paragraph(markup_safe(title), styles["label"]), _label_table(short, styles, 3.4 * inch)]
    for label, text in items:
        if len(text) > 90:
            flowables += [Paragraph(markup_safe(label), styles["label"]), Paragraph(markup_safe(text), styles["body"])]
    return flowables


def _entry(entry, styles, supplements=()) -> list:
    rows = [("Dates", date_range(entry)), ("Institution", entry.institution),
            ("Supervisor", entry.supervisor), ("Total hours", str(entry.hours))]
    flowables = [Paragraph(markup_safe(position(entry)), styles["position"]), _label_table(rows, styles)]
    # Duties go below the table, not in a cell: a paragraph may run over a page, a table row may not.
    if entry.duties.strip():
        flowables += [Paragraph("Duties", styles["label"]),
                      Paragraph(markup_safe(entry.duties), styles["body"])]
    if entry.from_placement:
        flowables.append(Paragraph("Placement arranged and completed through Rotamatch.", styles["note"]))
    # The entry's own lines stay on one page; an evaluation after them may flow onto the next.
    added = [flowable for title, items in supplements for flowable in _supplement(title, items, styles)]
    return [KeepTogether(flowables), *added, Spacer(1, 10)]


def _numbered_canvas(footer: str, font: str):
    """A canvas that writes "Page n of N" on each page: N is known only once all pages are laid out."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._page_states = []

        def showPage(self):
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            count = len(self._page_states)
            for state in self._page_states:
                self.__dict__.update(state)
                self.setFont(font, 8)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(0.75 * inch, 0.5 * inch, footer)
                self.drawRightString(LETTER[0] - 0.75 * inch, 0.5 * inch, f"Page {self._pageNumber} of {count}")
                super().showPage()
            super().save()

    return NumberedCanvas


def build_pdf(entries, header: dict, supplements: dict | None = None) -> bytes:
    """The log as a Letter-size PDF: heading, one block per entry (newest first), with what
    `supplements` adds to it (see `csv_rows`), total hours."""
    entries, styles, supplements = list(entries), _styles(), supplements or {}
    story = _heading(header, styles)
    story += [flowable for entry in entries for flowable in _entry(entry, styles, supplements.get(entry.pk, []))] or [
        Paragraph("No clinical experience recorded yet.", styles["body"])]
    story.append(Paragraph(f"Total clinical hours: {total_hours(entries)}", styles["total"]))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=LETTER, leftMargin=0.75 * inch, rightMargin=0.75 * inch, topMargin=0.75 * inch,
        bottomMargin=0.8 * inch, title=f"Clinical experience of {header['name']}", author=header["name"],
        creator="Rotamatch")
    footer = f"{_CONTROL_CHARS.sub('', header['name'])[:80]} · Clinical experience"
    document.build(story, canvasmaker=_numbered_canvas(footer, _fonts()[0]))
    return buffer.getvalue()
