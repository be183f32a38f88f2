"""The PDFs of issued documents, drawn with reportlab from the placement's own fields (never from
user-supplied HTML): a letterhead from the institution's details, readable type, one page."""

import io
from datetime import date
from xml.sax.saxutils import escape

from django.conf import settings
from django.urls import reverse
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from rotations.choices import RotationType

_STYLES = getSampleStyleSheet()
HEAD = ParagraphStyle("head", parent=_STYLES["Title"], fontSize=16, leading=20, alignment=0, spaceAfter=2)
SMALL = ParagraphStyle("small", parent=_STYLES["Normal"], fontSize=9, leading=12, textColor="#444444")
BODY = ParagraphStyle("body", parent=_STYLES["Normal"], fontSize=11, leading=15, spaceAfter=8)
TITLE = ParagraphStyle("title", parent=_STYLES["Heading2"], fontSize=13, leading=17, spaceBefore=6, spaceAfter=10)


def _a(word: str) -> str:
    """The indefinite article with its word: "an observership", "a sub-internship"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _p(text: str, style=BODY) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _letterhead(institution) -> list:
    address = f"{institution.address}, {institution.city}, {institution.state} {institution.zip_code}"
    lines = [Paragraph(escape(institution.name), HEAD), _p(address + (f" · {institution.website}" if institution.website else ""),
                                                           SMALL)]
    return [*lines, HRFlowable(width="100%", thickness=1, color="#0b5cad", spaceBefore=6, spaceAfter=14)]


def _verification(code_grouped: str, code: str) -> list:
    url = settings.SITE_URL + reverse("matching:verify_code", args=[code])
    return [Spacer(1, 14), HRFlowable(width="100%", thickness=0.5, color="#999999", spaceAfter=6),
            _p(f"Verification code {code_grouped}. Anyone can confirm this document at {url} "
               f"(or at {settings.SITE_URL}{reverse('matching:verify')} with the code).", SMALL)]


def _signatory(coordinator, *, closing: str = "") -> list:
    """The signature line, then who signs and how to reach them: the coordinator's name, title and
    e-mail and the institution's address (neither model keeps a telephone number)."""
    user, institution = coordinator.user, coordinator.institution
    lines = [user.get_full_name() or user.email]
    if coordinator.title:
        lines.append(coordinator.title)
    lines += [institution.name, f"{institution.address}, {institution.city}, {institution.state} {institution.zip_code}",
              user.email]
    return [Spacer(1, 10), *([_p(closing)] if closing else []), Spacer(1, 26),
            HRFlowable(width=2.8 * inch, thickness=0.75, color="#222222", hAlign="LEFT", spaceAfter=4),
            _p("\n".join(lines))]


def _build(flowables, *, title: str, institution, code_grouped: str) -> bytes:
    """One page of `flowables`; the title, author and subject go in the PDF's metadata, where a
    viewer's window and a program's document system show them."""
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=LETTER, leftMargin=inch, rightMargin=inch, topMargin=0.8 * inch,
                      bottomMargin=0.8 * inch, title=title, author=institution.name,
                      subject=f"Verification code {code_grouped}", creator="Rotamatch").build(flowables)
    return buffer.getvalue()


def invitation_pdf(*, application, profile, coordinator, issued: date, code: str, code_grouped: str,
                   passport_number: str = "") -> bytes:
    slot, listing = application.slot, application.slot.listing
    institution = listing.institution
    hands_on = listing.rotation_type in RotationType.hands_on()
    passport = f", passport number {passport_number}" if passport_number else ""
    covers = listing.fee_covers.strip().rstrip(".")
    fee = (f"The fee for the rotation is ${listing.fee_usd:,}" + (f", which covers: {covers}." if covers else ".")
           if listing.fee_usd else "There is no fee.")
    body = [
        _p(f"{issued:%B %-d, %Y}"),
        _p("To the consular officer"),
        Paragraph("Invitation letter for a clinical rotation", TITLE),
        _p(f"{institution.name} invites {profile.legal_name}, a citizen of {profile.citizenship.name}{passport}, "
           f"to {_a(listing.get_rotation_type_display().lower())} in {listing.get_specialty_display()} "
           f"from {slot.start_date:%B %-d, %Y} to {slot.end_date:%B %-d, %Y}, in "
           f"{_a(listing.get_setting_display().lower())} setting at our institution in {institution.city}, "
           f"{institution.state}."),
        _p("The rotation is hands-on: under supervision, the participant examines and helps treat patients."
           if hands_on else "The rotation is observational: the participant observes patient care and does not "
           "treat patients."),
        _p(f"No salary or other compensation is paid to the participant. {fee}"),
        _p(f"{profile.legal_name} is {_a(profile.get_stage_display().lower().split(' (')[0])} of {profile.medical_school}. "
           "The placement was approved through Rotamatch, the marketplace where the institution offered it."),
    ]
    return _build([*_letterhead(institution), *body, *_signatory(coordinator, closing="Sincerely,"),
                   *_verification(code_grouped, code)],
                  title=f"Invitation letter for {profile.legal_name}, {institution.name}", institution=institution,
                  code_grouped=code_grouped)


def certificate_pdf(*, application, profile, coordinator, issued: date, code: str, code_grouped: str, hours: int | None,
                    preceptors: list[str]) -> bytes:
    slot, listing = application.slot, application.slot.listing
    institution = listing.institution
    weeks = slot.weeks  # as the listing and the experience log count them
    body = [
        _p(f"{issued:%B %-d, %Y}"),
        Paragraph("Certificate of completion", TITLE),
        _p(f"This certifies that {profile.legal_name} completed {_a(listing.get_rotation_type_display().lower())} in "
           f"{listing.get_specialty_display()} at {institution.name} from {slot.start_date:%B %-d, %Y} to "
           f"{slot.end_date:%B %-d, %Y}: {weeks} week{'s' if weeks != 1 else ''}"
           + (f", {hours} clinical hours." if hours else ".")),
        _p("Supervising preceptor" + ("s: " if len(preceptors) > 1 else ": ") + ", ".join(preceptors) + "."
           if preceptors else "Supervised by the institution's clinical team."),
    ]
    return _build([*_letterhead(institution), *body, *_signatory(coordinator), *_verification(code_grouped, code)],
                  title=f"Certificate of completion for {profile.legal_name}, {institution.name}",
                  institution=institution, code_grouped=code_grouped)
