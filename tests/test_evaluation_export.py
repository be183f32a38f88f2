"""The experience log's exports carry the preceptors' evaluations only when the applicant asks,
only those already revealed to them, and only the newest version of each."""

import csv
import io

import pypdf
import pytest
from django.urls import reverse

from .factories import EvaluationFactory, ExperienceEntryFactory, ReviewFactory, completed_placement

pytestmark = pytest.mark.django_db

EVALUATION_COLUMNS = [
    "Preceptor's evaluation: Submitted", "Preceptor's evaluation: Overall rating",
    "Preceptor's evaluation: Patient care", "Preceptor's evaluation: Medical knowledge",
    "Preceptor's evaluation: Practice-based learning and improvement",
    "Preceptor's evaluation: Interpersonal and communication skills",
    "Preceptor's evaluation: Professionalism", "Preceptor's evaluation: Systems-based practice",
    "Preceptor's evaluation: Strengths", "Preceptor's evaluation: Areas to improve",
    "Preceptor's evaluation: Would write a letter",
]


def csv_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def pdf_text(response) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def placement_with_entry(**kwargs):
    application = completed_placement(**kwargs)
    ExperienceEntryFactory(applicant=application.applicant, application=application,
                           institution=application.slot.listing.institution.name)
    return application


@pytest.fixture
def revealed():
    """A placement whose review and evaluation (corrected once) are both in: revealed."""
    application = placement_with_entry()
    ReviewFactory(application=application)
    EvaluationFactory(application=application, overall=3, strengths="First version strengths, since corrected.")
    EvaluationFactory(application=application, version=2, overall=5, strengths="Took ownership of every admission.")
    return application


def test_the_csv_adds_the_newest_revealed_evaluation_only_when_asked(client, revealed):
    ExperienceEntryFactory(applicant=revealed.applicant)  # added by hand: no evaluation, empty cells
    client.force_login(revealed.applicant)
    assert len(csv_of(client.get(reverse("applicants:experience_csv")))[0]) == 9
    rows = csv_of(client.get(reverse("applicants:experience_csv"), {"evaluations": "1"}))
    assert rows[0][9:] == EVALUATION_COLUMNS
    by_source = {row[8]: row for row in rows[1:]}
    evaluation = dict(zip(rows[0], by_source["Rotamatch placement"], strict=True))
    assert evaluation["Preceptor's evaluation: Overall rating"] == "5 of 5"
    assert evaluation["Preceptor's evaluation: Strengths"] == "Took ownership of every admission."
    assert evaluation["Preceptor's evaluation: Practice-based learning and improvement"] == "Not observed"
    assert evaluation["Preceptor's evaluation: Professionalism"] == "5 – Exemplary"
    assert evaluation["Preceptor's evaluation: Would write a letter"] == "Yes"
    assert "(version 2)" in evaluation["Preceptor's evaluation: Submitted"]
    assert by_source["Added by the applicant"][9:] == [""] * len(EVALUATION_COLUMNS)


def test_the_pdf_adds_the_evaluation_under_its_rotation_only_when_asked(client, revealed):
    client.force_login(revealed.applicant)
    assert "Took ownership" not in pdf_text(client.get(reverse("applicants:experience_pdf")))
    text = pdf_text(client.get(reverse("applicants:experience_pdf"), {"evaluations": "1"}))
    for expected in ["Preceptor's evaluation", "5 of 5", "Took ownership of every admission.",
                     "Interpersonal and communication skills", "Would write a letter"]:
        assert expected in text
    assert "First version strengths" not in text


def test_a_sealed_evaluation_stays_out_of_both_exports(client):
    sealed = placement_with_entry()
    EvaluationFactory(application=sealed, strengths="Sealed strengths the applicant cannot read yet.")
    client.force_login(sealed.applicant)
    csv_rows = csv_of(client.get(reverse("applicants:experience_csv"), {"evaluations": "1"}))
    assert csv_rows[0] == csv_rows[0][:9] and len(csv_rows) == 2
    assert "Sealed strengths" not in pdf_text(client.get(reverse("applicants:experience_pdf"), {"evaluations": "1"}))
    # The seal ends by time 14 days after the rotation: then it is in.
    ended = placement_with_entry(applicant=sealed.applicant, ended_days_ago=15)
    EvaluationFactory(application=ended, strengths="Revealed by time, now readable.")
    rows = csv_of(client.get(reverse("applicants:experience_csv"), {"evaluations": "1"}))
    assert any("Revealed by time, now readable." in row for row in rows)
    assert not any("Sealed strengths" in cell for row in rows for cell in row)


def test_the_page_offers_the_choice_for_both_downloads(client, revealed):
    client.force_login(revealed.applicant)
    page = client.get(reverse("applicants:experience")).text
    assert 'name="evaluations" value="1"' in page
    assert f'formaction="{reverse("applicants:experience_pdf")}"' in page
    assert f'formaction="{reverse("applicants:experience_csv")}"' in page
