"""Settings hold in production, parse strictly, and the demo data is idempotent."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "k3Y-" + "x7Qm9Zp2Lw8Rt4Vb6Nc1Hd5Jf0Gs3Ak" * 2,
    "ALLOWED_HOSTS": "rotamatch.example.org",
    "DATABASE_URL": "postgres://rotamatch@db.internal:5432/rotamatch",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "SITE_URL": "https://rotamatch.example.org",
}


def _manage(*args, **env):
    # The test settings put their own defaults into os.environ; production must not inherit them.
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "EMAIL_URL", "DJANGO_ALLOW_ASYNC_UNSAFE",
                          *PRODUCTION_ENV}}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_check_deploy():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_malformed_boolean_stops_start_up_with_the_variable_named():
    result = _manage("check", **{**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "perhaps"})
    assert result.returncode == 1
    assert "SECURE_SSL_REDIRECT" in result.stderr


def test_a_missing_secret_key_stops_start_up():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = _manage("check", **env)
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr


def test_content_security_policy_forbids_inline_code(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy
    assert "style-src 'self';" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_demo_data_run_twice_leaves_the_same_rows():
    call_command("seed_demo", stdout=io.StringIO())
    first = _snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert _snapshot() == first
    logins = [row for row in first["accounts.user"] if "@rotamatch.test" in str(row) and "reviewer" not in str(row)
              and "ranker" not in str(row) and "history" not in str(row)]
    assert len(logins) == 4  # one login per role (the demo reviewers, rankers and history cannot log in)
    assert len(first["preceptors.review"]) == 4  # three published, one awaiting moderation
    assert len(first["preceptors.evaluation"]) == 2  # the demo applicant's: one revealed, one sealed
    # A waived and an unwaived letter uploaded, one awaited after two reminders; a share opened.
    from preceptors.models import LetterAccess, LetterRequest

    assert sorted(LetterRequest.objects.values_list("status", "waived")) == [
        ("requested", True), ("uploaded", False), ("uploaded", True)]
    assert sorted(LetterAccess.objects.values_list("kind", flat=True)) == ["download", "view"]
    # A published round where the demo applicant got their third choice, and an open one.
    from accounts.models import User
    from matching.models import MatchRound
    from matching.selectors_rounds import DID_NOT_RANK_YOU, FILLED_BY_HIGHER, applicant_explanations

    assert sorted(MatchRound.objects.values_list("status", flat=True)) == ["published", "ranking_open"]
    match, reasons = applicant_explanations(MatchRound.objects.get(status="published"),
                                            User.objects.get(email="applicant@rotamatch.test"))
    assert (match.choice, [reason for _, reason in reasons]) == (3, [FILLED_BY_HIGHER, DID_NOT_RANK_YOU])
    # An approved placement with its invitation letter, a completed one with its certificate.
    from matching.models import IssuedDocument

    assert sorted(IssuedDocument.objects.values_list("kind", "application__status")) == [
        ("certificate", "completed"), ("invitation", "approved")]


@pytest.mark.django_db
def test_demo_applicants_log_exports_the_revealed_evaluation_only(client):
    from accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(email="applicant@rotamatch.test"))
    rows = client.get("/applicant/experience.csv?evaluations=1").content.decode("utf-8-sig").splitlines()
    placements = [row for row in rows if "Rotamatch placement" in row]
    assert len(placements) == 2  # both completed demo placements are in the log
    assert sum("Careful histories" in row for row in placements) == 1  # the sealed one stays empty


def _snapshot():
    models = [apps.get_model(label) for label in (
        "accounts.User", "account.EmailAddress", "institutions.Institution",
        "institutions.Coordinator", "institutions.Preceptor", "rotations.Listing", "rotations.Slot",
        "applicants.Profile", "applicants.Document", "applicants.ExperienceEntry", "matching.Application",
        "matching.ApplicationEvent", "preceptors.Review", "preceptors.ReviewDecision", "preceptors.Evaluation",
        "preceptors.LetterRequest", "preceptors.LetterVersion", "preceptors.LetterShare", "preceptors.LetterAccess",
        "notifications.SentReminder", "matching.MatchRound", "matching.RankList", "matching.RankEntry",
        "matching.SlotRanking", "matching.SlotRankEntry", "matching.RoundMatch", "matching.IssuedDocument")]
    # Timestamps that auto_now refreshes on every save are left out; every other column counts.
    return {m._meta.label_lower: sorted(map(tuple, m.objects.values_list(*_columns(m)))) for m in models}


def _columns(model):
    return [f.attname for f in model._meta.concrete_fields
            if not getattr(f, "auto_now", False) and f.name != "search_vector"]


@pytest.mark.django_db
def test_demo_data_runs_after_users_edited_duplicated_and_deleted_demo_listings():
    from rotations.models import Listing
    from rotations.services import listing_save

    call_command("seed_demo", stdout=io.StringIO())
    pediatrics = Listing.objects.get(title="Pediatrics Clinical Elective")
    coordinator = pediatrics.institution.coordinators.get().user
    # A coordinator reuses a demo title for a listing of their own (as through the API) …
    listing_save(listing=Listing(institution=pediatrics.institution, title=pediatrics.title,
                                 specialty="pediatrics", rotation_type="elective", setting="mixed",
                                 city="Columbus", state="OH", audience="both", duration_weeks=4,
                                 description="Our own elective."), by=coordinator)
    # … renames another and deletes a third.
    Listing.objects.filter(title="Psychiatry Observership").update(title="Psychiatry Clinic Observership")
    Listing.objects.filter(title="Emergency Medicine Sub-internship").delete()

    call_command("seed_demo", stdout=io.StringIO())

    assert Listing.objects.filter(title="Pediatrics Clinical Elective").count() == 2
    assert Listing.objects.filter(title="Psychiatry Clinic Observership").count() == 1
    assert Listing.objects.filter(title="Psychiatry Observership").count() == 0  # the edit stands
    assert Listing.objects.get(title="Emergency Medicine Sub-internship").slots.count() == 3
    assert Listing.objects.exclude(demo_key="").count() == 6
