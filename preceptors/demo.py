"""Demo reviews and evaluations for `make run`, on the demo "Internal Medicine Observership":
three published reviews (so its rating shows), one awaiting moderation, and for the demo
applicant a placement whose evaluation is revealed and one whose evaluation is sealed until they
review it.

Idempotent: nothing is added once the first demo reviewer has a placement. The past placements
are written straight as completed (a real one passes through offers, approval and completion);
the reviews and evaluations go through the services, so moderation logs and notifications look
as after real use.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Role, User
from applicants.services import experience_from_placement
from matching.models import Application, Status
from rotations.demo import demo_listing
from rotations.models import Slot

from .services import evaluation_submit, review_moderate, review_submit

LISTING = "Internal Medicine Observership"
REVIEWS = [
    (5, "Dr. Okafor taught at every bedside and let us present on rounds daily. Clinic days were busy but well run."),
    (4, "Very good teaching and a friendly team. Less hands-on than I hoped, but the listing was honest about it."),
    (4, "Organised from the first morning: badge, EMR access and a schedule. Conferences were worth the fee alone."),
    (3, "Good exposure to inpatient medicine; some days we mostly observed. Ask for clinic days early if you want them."),
]
EVALUATION = {"patient_care": 4, "medical_knowledge": 4, "practice_based_learning": 3,
              "interpersonal_communication": 5, "professionalism": 5, "systems_based_practice": 0, "overall": 4,
              "strengths": "Careful histories and clear presentations; patients trusted her.",
              "improvements": "Commit to a differential and a plan before presenting.", "would_write_letter": True}


def seed_reviews(*, applicant: User, preceptor_user: User, admin: User) -> None:
    listing = demo_listing(LISTING)
    if listing is None or Application.objects.filter(applicant__email="reviewer1@rotamatch.test").exists():
        return
    past = _past_slot(listing, ended_days_ago=25, capacity=len(REVIEWS) + 1)
    for n, (overall, text) in enumerate(REVIEWS, start=1):
        application = _completed(_reviewer(n), past)
        review = review_submit(application=application, by=application.applicant, data={
            "overall": overall, "teaching": overall, "hands_on": max(overall - 1, 1), "organisation": 4,
            "value": overall, "would_recommend": overall >= 4, "text": text})
        if n <= 3:  # the fourth awaits moderation at /staff/reviews/
            review_moderate(review=review, action="approve", by=admin)
    # The demo applicant: an evaluation revealed (the seal's days are over), and one sealed until
    # they review that placement.
    revealed = _completed(applicant, past)
    evaluation_submit(application=revealed, by=preceptor_user, data=EVALUATION)
    recent = _completed(applicant, _past_slot(listing, ended_days_ago=4, capacity=2))
    evaluation_submit(application=recent, by=preceptor_user, data=EVALUATION)
    # As marking a placement completed does: the experience log lists both, and its export can
    # carry the revealed evaluation.
    for application in (revealed, recent):
        experience_from_placement(application=application)


def _past_slot(listing, *, ended_days_ago: int, capacity: int) -> Slot:
    end = timezone.localdate() - timedelta(days=ended_days_ago)
    start = end - timedelta(weeks=listing.duration_weeks, days=-1)
    return Slot.objects.create(listing=listing, start_date=start, end_date=end, capacity=capacity,
                               application_deadline=start - timedelta(days=21))


def _reviewer(n: int) -> User:
    email = f"reviewer{n}@rotamatch.test"
    user, created = User.objects.get_or_create(email=email, defaults={"role": Role.APPLICANT,
                                                                      "first_name": "Demo", "last_name": f"Reviewer {n}"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _completed(applicant: User, slot: Slot) -> Application:
    return Application.objects.create(applicant=applicant, slot=slot, status=Status.COMPLETED,
                                      statement="A demo placement, completed.")
