"""The applicant's dashboard and profile pages: the checklist, the profile form, its rules and who may open it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from applicants.models import Profile

from .factories import DocumentFactory, ProfileFactory, messages_of

pytestmark = pytest.mark.django_db

PROFILE_URL = reverse("applicants:profile")
DIRECTION_ERROR = "Remove the invisible text-direction characters (such as U+202E) from this text."
DASHBOARD_URL = reverse("applicants:dashboard")
THIS_YEAR = timezone.localdate().year


def profile_data(**overrides) -> dict:
    """A valid profile as the browser posts it."""
    today = timezone.localdate()
    data = {
        "legal_name": "Amina Yusuf", "citizenship": "NG", "visa_status": "b1",
        "languages": " English, Yoruba ,, english, Hausa ",
        "medical_school": "University of Lagos College of Medicine", "school_country": "NG",
        "stage": "graduate", "graduation_year": str(THIS_YEAR - 1),
        "ecfmg_status": "certified", "step1_status": "passed", "step1_score": "",
        "step2_status": "passed", "step2_score": "245",
        "specialties": ["internal_medicine", "cardiology"], "preferred_states": ["IL", "NY"],
        "available_from": (today + timedelta(days=30)).isoformat(),
        "available_until": (today + timedelta(days=200)).isoformat(),
        "budget_usd": "3000",
    }
    data.update(overrides)
    return data


# Creating and editing.

def test_an_applicant_creates_their_profile(client, applicant):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data())
    assert response.status_code == 302
    assert response["Location"] == PROFILE_URL
    profile = Profile.objects.get(user=applicant)
    assert (profile.legal_name, profile.citizenship.code, profile.graduation_year) == (
        "Amina Yusuf", "NG", THIS_YEAR - 1)
    assert profile.languages == ["English", "Yoruba", "Hausa"]
    assert profile.specialties == ["internal_medicine", "cardiology"]
    assert profile.preferred_states == ["IL", "NY"]
    assert (profile.step1_score, profile.step2_score, profile.budget_usd) == (None, 245, 3000)


def test_the_preferred_states_are_the_50_states_and_dc(client, applicant):
    client.force_login(applicant)
    choices = dict(client.get(PROFILE_URL).context["form"].fields["preferred_states"].choices)
    assert (len(choices), choices["DC"], choices["WY"], "PR" in choices, "AA" in choices) == (
        51, "District of Columbia", "Wyoming", False, False)


def test_a_territory_is_not_a_preferred_state(client, applicant):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(preferred_states=["PR"]))
    assert response.context["form"].errors == {
        "preferred_states": ["Select a valid choice. PR is not one of the available choices."]}


def test_creating_says_so(client, applicant):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(), follow=True)
    assert messages_of(response) == ["Your profile was created."]


def test_an_applicant_edits_their_profile(client, applicant):
    profile = ProfileFactory(user=applicant)
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(legal_name="Amina B. Yusuf", languages="French",
                                                     specialties=["pediatrics"], preferred_states=[]),
                           follow=True)
    profile.refresh_from_db()
    assert (profile.legal_name, profile.languages, profile.specialties, profile.preferred_states) == (
        "Amina B. Yusuf", ["French"], ["pediatrics"], [])
    assert messages_of(response) == ["Your profile was saved."]
    assert Profile.objects.count() == 1


def test_the_form_shows_the_saved_profile(client, applicant):
    ProfileFactory(user=applicant, languages=["English", "Yoruba"])
    client.force_login(applicant)
    response = client.get(PROFILE_URL)
    assert response.status_code == 200
    assert response.context["form"].initial["languages"] == ["English", "Yoruba"]
    assert 'value="English, Yoruba"' in response.text
    assert '<input type="date" name="available_from"' in response.text


# Bad values: a 200 with the field's error, and nothing saved.

@pytest.mark.parametrize("field, value, error", [
    ("legal_name", "Amina\x00Yusuf", "Null characters are not allowed."),
    ("medical_school", "Lagos\x00", "Null characters are not allowed."),
    ("languages", "English\x00", "Null characters are not allowed."),
    ("budget_usd", "9" * 40, "Ensure this value is less than or equal to 100000."),
    ("budget_usd", "1e400", "Enter a whole number."),
    ("step2_score", "2" * 5000, "Enter a whole number."),
    ("graduation_year", "1", "Ensure this value is greater than or equal to 1960."),
    ("graduation_year", "99999", "Ensure this value is less than or equal to 2040."),
    ("graduation_year", str(THIS_YEAR + 1), f"A graduate's graduation year cannot be after {THIS_YEAR}."),
    ("citizenship", "XX", "Select a valid choice. XX is not one of the available choices."),
    ("school_country", "<script>", "Select a valid choice. <script> is not one of the available choices."),
    ("preferred_states", ["ZZ"], "Select a valid choice. ZZ is not one of the available choices."),
    ("specialties", ["astrology"], "Select a valid choice. astrology is not one of the available choices."),
    ("available_from", "2026-02-31", "Enter a date as YYYY-MM-DD."),
    ("languages", "x" * 51, "“" + "x" * 51 + "” is too long: at most 50 characters per item."),
    ("legal_name", "Amina\u202eYusuf", DIRECTION_ERROR),
    ("medical_school", "Lagos\u2067", DIRECTION_ERROR),
])
def test_a_bad_value_is_a_field_error_and_nothing_is_saved(client, applicant, field, value, error):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(**{field: value}))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert Profile.objects.count() == 0


def test_arabic_and_hebrew_names_need_no_direction_characters_and_are_kept(client, applicant):
    client.force_login(applicant)
    client.post(PROFILE_URL, profile_data(legal_name="أمينة يوسف", medical_school="אוניברסיטת תל אביב"))
    assert Profile.objects.values_list("legal_name", "medical_school").get() == ("أمينة يوسف", "אוניברסיטת תל אביב")


def test_a_bad_value_leaves_the_saved_profile_as_it_was(client, applicant):
    ProfileFactory(user=applicant, legal_name="Amina Yusuf", budget_usd=3000)
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(legal_name="Changed", budget_usd="-5"))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["budget_usd"]
    assert Profile.objects.values_list("legal_name", "budget_usd").get() == ("Amina Yusuf", 3000)


def test_missing_required_fields_are_named(client, applicant):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, {})
    assert response.status_code == 200
    assert sorted(response.context["form"].errors) == [
        "citizenship", "ecfmg_status", "graduation_year", "legal_name", "medical_school",
        "school_country", "stage", "step1_status", "step2_status", "visa_status"]


# Values that contradict each other.

@pytest.mark.parametrize("overrides, field, error", [
    ({"step2_status": "not_taken", "step2_score": "230", "ecfmg_status": "in_progress"}, "step2_score",
     "Enter a score only for an exam you have taken (passed or failed)."),
    ({"step1_status": "scheduled", "step1_score": "230", "ecfmg_status": "in_progress"}, "step1_score",
     "Enter a score only for an exam you have taken (passed or failed)."),
    ({"step2_status": "scheduled", "step2_score": ""}, "ecfmg_status",
     "ECFMG certification requires Step 1 and Step 2 CK passed; check your exam statuses."),
    ({"stage": "graduate", "graduation_year": str(THIS_YEAR + 1)}, "graduation_year",
     f"A graduate's graduation year cannot be after {THIS_YEAR}."),
    ({"stage": "student", "graduation_year": str(THIS_YEAR - 1)}, "graduation_year",
     f"A student's expected graduation year cannot be before {THIS_YEAR}."),
    ({"available_from": "2030-06-01", "available_until": "2030-05-31"}, "available_until",
     "Must be on or after the date you are available from."),
])
def test_contradicting_values_are_a_field_error(client, applicant, overrides, field, error):
    client.force_login(applicant)
    response = client.post(PROFILE_URL, profile_data(**overrides))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [error]}
    assert Profile.objects.count() == 0


def test_a_failed_exam_may_carry_its_score(client, applicant):
    client.force_login(applicant)
    client.post(PROFILE_URL, profile_data(step2_status="failed", step2_score="205", ecfmg_status="in_progress"))
    assert Profile.objects.values_list("step2_status", "step2_score").get() == ("failed", 205)


def test_a_student_graduating_this_year_is_accepted(client, applicant):
    client.force_login(applicant)
    client.post(PROFILE_URL, profile_data(stage="student", graduation_year=str(THIS_YEAR)))
    assert Profile.objects.values_list("stage", "graduation_year").get() == ("student", THIS_YEAR)


# Who may open the pages.

@pytest.mark.parametrize("url", [PROFILE_URL, DASHBOARD_URL])
@pytest.mark.parametrize("who", ["coordinator", "preceptor", "admin_user"])
def test_other_roles_get_403(client, request, url, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(url).status_code == 403
    assert client.post(url, profile_data()).status_code == 403
    assert Profile.objects.count() == 0


@pytest.mark.parametrize("url", [PROFILE_URL, DASHBOARD_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_an_applicant_edits_only_their_own_profile(client, applicant, other_applicant):
    theirs = ProfileFactory(user=other_applicant, legal_name="Someone Else")
    client.force_login(applicant)
    client.post(PROFILE_URL, profile_data())
    theirs.refresh_from_db()
    assert theirs.legal_name == "Someone Else"
    assert Profile.objects.get(user=applicant).legal_name == "Amina Yusuf"


# The dashboard checklist.

def test_the_dashboard_asks_for_a_missing_profile(client, applicant):
    client.force_login(applicant)
    response = client.get(DASHBOARD_URL)
    assert response.context["profile"] is None
    assert "Build your profile" in response.text


def test_the_dashboard_counts_the_documents_by_state(client, applicant):
    today = timezone.localdate()
    ProfileFactory(user=applicant)
    DocumentFactory(applicant=applicant, kind="cv", status="verified")
    DocumentFactory(applicant=applicant, kind="passport", status="verified", expires_on=today + timedelta(days=10))
    DocumentFactory(applicant=applicant, kind="tb_test", status="pending", expires_on=today + timedelta(days=30))
    DocumentFactory(applicant=applicant, kind="hipaa", status="rejected", expires_on=today - timedelta(days=1))
    DocumentFactory(applicant=applicant, kind="bls_acls", status="pending", expires_on=today + timedelta(days=31))
    DocumentFactory(kind="cv", status="rejected")  # someone else's
    client.force_login(applicant)
    response = client.get(DASHBOARD_URL)
    assert response.context["documents"] == {
        "held": 5, "verified": 2, "pending": 2, "rejected": 1, "expired": 1, "expiring": 2, "missing": 5}
    assert "Complete" in response.text


def test_the_dashboard_links_to_the_next_steps(client, applicant):
    client.force_login(applicant)
    response = client.get(DASHBOARD_URL)
    for name in ("applicants:profile", "applicants:documents", "applicants:experience",
                 "matching:my_applications", "rotations:search"):
        assert f'href="{reverse(name)}"' in response.text


@pytest.mark.parametrize("documents", [1, 5])
def test_the_dashboard_queries_are_constant(client, applicant, django_assert_num_queries, documents):
    ProfileFactory(user=applicant)
    for kind in ["cv", "passport", "tb_test", "hipaa", "good_standing"][:documents]:
        DocumentFactory(applicant=applicant, kind=kind)
    client.force_login(applicant)
    # user (the session comes from the cache), profile, document counts, unread notifications, and the "Recommended for you"
    # block: the documents and the page of candidates (filtered and scored in the database)
    with django_assert_num_queries(6):
        assert client.get(DASHBOARD_URL).status_code == 200


def test_the_profile_rules_hold_outside_the_form_too(applicant):
    """The rules live in Profile.clean(), so profile_save (and with it the API) refuses the same."""
    from django.core.exceptions import ValidationError

    from applicants.services import profile_save

    from .factories import ProfileFactory

    profile = ProfileFactory.build(user=applicant, step1_status="not_taken", step1_score=230,
                                   ecfmg_status="not_started")
    with pytest.raises(ValidationError) as refused:
        profile_save(user=applicant, profile=profile)
    assert refused.value.message_dict == {
        "step1_score": ["Enter a score only for an exam you have taken (passed or failed)."]}
