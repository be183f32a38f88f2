"""The clinical experience log: its pages, who may use them, the CSV and PDF exports, and
completed placements entering it by themselves."""

import csv
import io
from datetime import date, timedelta

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from applicants.models import ExperienceEntry
from matching.services import application_transition

from .factories import (
    ApplicationFactory,
    CoordinatorFactory,
    ExperienceEntryFactory,
    ProfileFactory,
    SlotFactory,
    messages_of,
    placement_entry,
)

pytestmark = pytest.mark.django_db

ENTRY_FORM = {
    "start_date": "2025-01-06", "end_date": "2025-02-02", "institution": "Mercy Clinic",
    "specialty": "pediatrics", "setting": "outpatient", "hours": "120",
    "duties": "Well-child visits and vaccinations.", "supervisor": "Dr. Ada Obi, MD",
}


def state():
    """Every entry as it is stored: what the pages below could change."""
    return list(ExperienceEntry.objects.order_by("pk").values_list(
        "pk", "applicant_id", "start_date", "end_date", "institution", "specialty", "setting", "hours",
        "duties", "supervisor", "application_id"))


def urls(entry):
    return {
        "log": ("get", reverse("applicants:experience"), {}),
        "add": ("post", reverse("applicants:experience"), ENTRY_FORM),
        "edit": ("get", reverse("applicants:experience_edit", args=[entry.pk]), {}),
        "edit_post": ("post", reverse("applicants:experience_edit", args=[entry.pk]), ENTRY_FORM),
        "delete": ("post", reverse("applicants:experience_delete", args=[entry.pk]), {}),
        "csv": ("get", reverse("applicants:experience_csv"), {}),
        "pdf": ("get", reverse("applicants:experience_pdf"), {}),
    }


def call(client, entry, name):
    method, url, data = urls(entry)[name]
    return getattr(client, method)(url, data)


# Adding, editing and deleting one's own entries

def test_adding_an_entry_saves_it_for_the_applicant(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience"), ENTRY_FORM)
    assert response.status_code == 302
    assert list(ExperienceEntry.objects.values_list(
        "applicant", "start_date", "end_date", "institution", "specialty", "setting", "hours", "duties",
        "supervisor", "application")) == [
        (applicant.pk, date(2025, 1, 6), date(2025, 2, 2), "Mercy Clinic", "pediatrics", "outpatient", 120,
         "Well-child visits and vaccinations.", "Dr. Ada Obi, MD", None)]


def test_the_log_lists_own_entries_newest_first_with_the_total_hours(client, applicant, other_applicant):
    for year, institution, hours in [(2024, "Old Clinic", 80), (2025, "New Clinic", 160)]:
        ExperienceEntryFactory(applicant=applicant, start_date=date(year, 5, 1), institution=institution,
                               hours=hours)
    ExperienceEntryFactory(applicant=other_applicant, institution="Someone Else's Hospital")
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience"))
    assert response.status_code == 200
    assert [e.institution for e in response.context["entries"]] == ["New Clinic", "Old Clinic"]
    assert response.context["total_hours"] == 240
    assert "Someone Else" not in response.text


def test_the_log_marks_entries_from_placements(client, applicant):
    placement_entry(applicant)
    ExperienceEntryFactory(applicant=applicant)
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience"))
    assert response.text.count("Rotamatch placement</span>") == 1


def test_editing_an_own_entry_changes_it(client, applicant):
    entry = ExperienceEntryFactory(applicant=applicant)
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience_edit", args=[entry.pk]), ENTRY_FORM)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.start_date, entry.institution, entry.hours) == (date(2025, 1, 6), "Mercy Clinic", 120)


def test_deleting_an_own_entry_removes_it(client, applicant):
    entry = ExperienceEntryFactory(applicant=applicant)
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience_delete", args=[entry.pk]))
    assert response.status_code == 302
    assert ExperienceEntry.objects.count() == 0


# Who may use the pages

@pytest.mark.parametrize("name", ["edit", "edit_post", "delete"])
def test_another_applicants_entry_is_not_found_and_stays_as_it_was(client, applicant, other_applicant, name):
    entry = ExperienceEntryFactory(applicant=other_applicant)
    before = state()
    client.force_login(applicant)
    assert call(client, entry, name).status_code == 404
    assert state() == before


@pytest.mark.parametrize("role", ["coordinator", "preceptor", "admin_user"])
@pytest.mark.parametrize("name", ["log", "add", "edit", "edit_post", "delete", "csv", "pdf"])
def test_non_applicants_are_refused(client, request_fixture, applicant, role, name):
    entry = ExperienceEntryFactory(applicant=applicant)
    before = state()
    client.force_login(request_fixture(role))
    assert call(client, entry, name).status_code == 403
    assert state() == before


@pytest.mark.parametrize("name", ["log", "add", "edit", "edit_post", "delete", "csv", "pdf"])
def test_anonymous_visitors_are_sent_to_sign_in(client, applicant, name):
    entry = ExperienceEntryFactory(applicant=applicant)
    before = state()
    response = call(client, entry, name)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert state() == before


@pytest.fixture
def request_fixture(request):
    return request.getfixturevalue


# Bad input: field errors, nothing saved

@pytest.mark.parametrize(("change", "field", "error"), [
    ({"end_date": "2025-01-05"}, "end_date", "The end date cannot be before the start date."),
    ({"hours": "0"}, "hours", "Ensure this value is greater than or equal to 1."),
    ({"hours": "5001"}, "hours", "Ensure this value is less than or equal to 5000."),
    ({"hours": "9" * 30}, "hours", "Ensure this value is less than or equal to 5000."),
    ({"institution": "Mercy\x00Clinic"}, "institution", "Null characters are not allowed."),
    ({"duties": "Rounds\x00"}, "duties", "Null characters are not allowed."),
    ({"supervisor": "Dr. Kim\u202e"}, "supervisor",
     "Remove the invisible text-direction characters (such as U+202E) from this text."),
    ({"start_date": "06/01/2025"}, "start_date", "Enter a date as YYYY-MM-DD."),
    ({"specialty": "astrology"}, "specialty",
     "Select a valid choice. astrology is not one of the available choices."),
])
def test_an_invalid_entry_gets_a_field_error_and_is_not_saved(client, applicant, change, field, error):
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience"), {**ENTRY_FORM, **change})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert ExperienceEntry.objects.count() == 0


def test_an_invalid_edit_changes_nothing(client, applicant):
    entry = ExperienceEntryFactory(applicant=applicant)
    before = state()
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience_edit", args=[entry.pk]), {**ENTRY_FORM, "hours": "0"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["hours"]
    assert state() == before


# Entries of completed placements

def test_a_placement_entry_cannot_be_deleted(client, applicant):
    entry = placement_entry(applicant)
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience_delete", args=[entry.pk]), follow=True)
    assert messages_of(response) == [
        "A completed placement stays in the log; you can edit its hours and duties."]
    assert list(ExperienceEntry.objects.values_list("pk", flat=True)) == [entry.pk]


def test_a_placement_entrys_dates_institution_and_specialty_cannot_be_changed(client, applicant):
    entry = placement_entry(applicant)
    client.force_login(applicant)
    response = client.post(reverse("applicants:experience_edit", args=[entry.pk]), ENTRY_FORM)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.start_date, entry.end_date, entry.institution, entry.specialty) == (
        date(2025, 3, 3), date(2025, 3, 30), "Riverside Hospital", "cardiology")
    assert (entry.setting, entry.hours, entry.duties, entry.supervisor) == (
        "outpatient", 120, "Well-child visits and vaccinations.", "Dr. Ada Obi, MD")


def test_a_placement_entrys_form_offers_only_the_editable_fields(client, applicant):
    entry = placement_entry(applicant)
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience_edit", args=[entry.pk]))
    assert list(response.context["form"].fields) == ["setting", "hours", "duties", "supervisor"]
    assert "Mar 3, 2025 – Mar 30, 2025" in response.text


def test_completing_a_placement_adds_exactly_one_entry_to_the_log():
    today = timezone.localdate()
    slot = SlotFactory(start_date=today - timedelta(days=40), end_date=today - timedelta(days=13),
                       application_deadline=today - timedelta(days=60))
    application = ApplicationFactory(slot=slot, status="approved")
    coordinator = CoordinatorFactory(institution=slot.listing.institution).user
    application_transition(application=application, action="complete", by=coordinator)
    assert list(ExperienceEntry.objects.values_list(
        "applicant", "application", "start_date", "end_date", "institution", "specialty")) == [
        (application.applicant_id, application.pk, slot.start_date, slot.end_date,
         slot.listing.institution.name, slot.listing.specialty)]


def test_completing_a_placement_twice_is_refused():
    today = timezone.localdate()
    slot = SlotFactory(start_date=today - timedelta(days=40), end_date=today - timedelta(days=13),
                       application_deadline=today - timedelta(days=60))
    application = ApplicationFactory(slot=slot, status="approved")
    coordinator = CoordinatorFactory(institution=slot.listing.institution).user
    application_transition(application=application, action="complete", by=coordinator)
    with pytest.raises(ValidationError):
        application_transition(application=application, action="complete", by=coordinator)
    assert ExperienceEntry.objects.count() == 1


# CSV

def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_the_csv_is_an_attachment(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience_csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="experience-log.csv"'


def test_the_csv_has_a_header_and_one_row_per_own_entry_with_iso_dates(client, applicant, other_applicant):
    placement_entry(applicant)
    ExperienceEntryFactory(applicant=applicant, start_date=date(2024, 1, 8), end_date=date(2024, 2, 4),
                           duties="Clinic, then\nward rounds.")
    ExperienceEntryFactory(applicant=other_applicant)
    client.force_login(applicant)
    assert csv_of(client.get(reverse("applicants:experience_csv"))) == [
        ["Start date", "End date", "Institution", "Specialty", "Setting", "Hours", "Supervisor", "Duties",
         "Source"],
        ["2025-03-03", "2025-03-30", "Riverside Hospital", "Cardiology", "Inpatient", "160", "Dr. Bello",
         "Ward rounds, admissions, discharge summaries.", "Rotamatch placement"],
        ["2024-01-08", "2024-02-04", "Lagos University Teaching Hospital", "Internal Medicine", "Inpatient",
         "160", "Dr. Bello", "Clinic, then\nward rounds.", "Added by the applicant"],
    ]


def test_the_csv_defuses_spreadsheet_formulas(client, applicant):
    ExperienceEntryFactory(applicant=applicant, institution="=HYPERLINK(\"http://evil\")", supervisor="+1 555",
                           duties="-2+3", setting="mixed")
    ExperienceEntryFactory(applicant=applicant, start_date=date(2020, 1, 1), end_date=date(2020, 1, 31),
                           institution="@SUM(A1)", supervisor="\tDr. Tab", duties="\rcarriage")
    client.force_login(applicant)
    rows = csv_of(client.get(reverse("applicants:experience_csv")))
    assert [(row[2], row[6], row[7]) for row in rows[1:]] == [
        ("'=HYPERLINK(\"http://evil\")", "'+1 555", "'-2+3"),
        ("'@SUM(A1)", "'\tDr. Tab", "'\rcarriage"),
    ]


# PDF

def pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_an_attachment(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience_pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="experience-log.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_the_pdf_shows_the_legal_name_school_entries_and_total_hours(client, applicant):
    ProfileFactory(user=applicant, legal_name="Şükrü Nguyễn Adeyemi", medical_school="University of Ibadan",
                   graduation_year=2023)
    ExperienceEntryFactory(applicant=applicant, start_date=date(2025, 1, 6), end_date=date(2025, 2, 2),
                           institution="Mercy Clinic", hours=120, supervisor="Dr. Ada Obi")
    ExperienceEntryFactory(applicant=applicant, start_date=date(2024, 9, 2), hours=200)
    client.force_login(applicant)
    text = pdf_text(client.get(reverse("applicants:experience_pdf")))
    for expected in ["Şükrü Nguyễn Adeyemi", "University of Ibadan", "2023", "Mercy Clinic",
                     "01/2025 – 02/2025", "Internal Medicine (inpatient)", "Dr. Ada Obi",
                     "Total clinical hours: 320", "Page 1 of 1"]:
        assert expected in text


def test_the_pdf_falls_back_to_the_account_name_without_a_profile(client, applicant):
    client.force_login(applicant)
    text = pdf_text(client.get(reverse("applicants:experience_pdf")))
    assert applicant.get_full_name() in text
    assert "Total clinical hours: 0" in text


def test_markup_in_an_entry_prints_literally_in_the_pdf(client, applicant):
    ExperienceEntryFactory(applicant=applicant, institution="St. Mary & St. John",
                           duties="<b>Led</b> rounds & wrote <font size=40>notes</font>")
    client.force_login(applicant)
    text = pdf_text(client.get(reverse("applicants:experience_pdf")))
    assert "St. Mary & St. John" in text
    assert "<b>Led</b> rounds & wrote <font size=40>notes</font>" in text


def test_long_duties_run_over_pages_that_are_all_numbered(client, applicant):
    ExperienceEntryFactory(applicant=applicant, duties="Admitted and followed patients. " * 400)
    client.force_login(applicant)
    response = client.get(reverse("applicants:experience_pdf"))
    pages = pypdf.PdfReader(io.BytesIO(response.content)).pages
    count = len(pages)  # depends on the font the system has (see experience_export.py)
    assert count >= 3
    assert [f"Page {n} of {count}" in page.extract_text() for n, page in enumerate(pages, 1)] == [True] * count


# Queries

@pytest.mark.parametrize("count", [1, 5])
def test_the_log_page_makes_the_same_queries_for_1_and_5_entries(client, applicant, django_assert_num_queries,
                                                                  count):
    ExperienceEntryFactory.create_batch(count, applicant=applicant)
    placement_entry(applicant)
    client.force_login(applicant)
    with django_assert_num_queries(3):
        response = client.get(reverse("applicants:experience"))
    assert len(response.context["entries"]) == count + 1
