"""Rotation listings and their dated slots."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.template.defaultfilters import floatformat, pluralize
from django.utils import timezone
from localflavor.us.models import USStateField

from core.text import reject_direction_controls

from .choices import Audience, DocumentKind, ListingStatus, RotationType, Setting, Specialty, Visa, validate_listing_place


class TriggerKept(models.Model):
    """A model some of whose columns the database's triggers keep (named in TRIGGER_KEPT): an
    update from an object read earlier (a form, the admin's inline) never writes them back stale."""

    TRIGGER_KEPT: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [field.name for field in self._meta.concrete_fields
                                       if not field.primary_key and field.name not in self.TRIGGER_KEPT]
        super().save(*args, **kwargs)


def rating_shown():
    """The average shown for a listing: none below the small-numbers threshold of reviews."""
    return models.Case(models.When(review_count__gte=settings.REVIEWS_MIN_PUBLISHED, then=F("review_average")))


class Listing(TriggerKept):
    """A rotation an institution offers; applicants apply to its dated slots."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.PROTECT, related_name="listings")
    title = models.CharField(max_length=200, validators=[reject_direction_controls])
    specialty = models.CharField(max_length=40, choices=Specialty)
    rotation_type = models.CharField("type", max_length=20, choices=RotationType)
    setting = models.CharField(max_length=20, choices=Setting)
    city = models.CharField(max_length=100, validators=[reject_direction_controls])
    state = USStateField(validators=[validate_listing_place])
    audience = models.CharField(max_length=20, choices=Audience)
    visas = ArrayField(models.CharField(max_length=20, choices=Visa), default=list, blank=True,
                       help_text="Visa statuses accepted for this rotation.")
    requires_step1 = models.BooleanField("USMLE Step 1 passed required", default=False)
    requires_step2 = models.BooleanField("USMLE Step 2 CK passed required", default=False)
    min_step2_score = models.PositiveSmallIntegerField(
        "minimum Step 2 CK score", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(300)])
    required_documents = ArrayField(models.CharField(max_length=30, choices=DocumentKind),
                                    default=list, blank=True)
    duration_weeks = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(52)])
    fee_usd = models.PositiveIntegerField("fee (USD)", default=0, validators=[MaxValueValidator(100_000)],
                                          help_text="0 means free.")
    fee_covers = models.TextField("what the fee covers", blank=True)
    refund_policy = models.TextField(blank=True)
    letter_possible = models.BooleanField("letter of recommendation possible", default=False)
    preceptors = models.ManyToManyField("institutions.Preceptor", blank=True, related_name="listings")
    description = models.TextField()
    status = models.CharField(max_length=20, choices=ListingStatus, default=ListingStatus.DRAFT)
    return_reason = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Title, specialty, institution, city and description, weighted; kept by services.listing_save.
    search_vector = SearchVectorField(null=True, editable=False)
    # Its parts of weight A (title, specialty) and of weights A and B (those, the institution and
    # the city), kept with it, for relevance tiers each served by its own index (rotations/search.py).
    search_title = SearchVectorField(null=True, editable=False)
    search_head = SearchVectorField(null=True, editable=False)
    # The earliest slot starting today or later: kept by a database trigger on slots (migration
    # 0003) and refreshed hourly as days pass, so "soonest first" is an index scan, not a sort
    # of every match.
    next_start = models.DateField(null=True, blank=True, editable=False)
    # Seats left in slots still taking applications, and the earliest deadline among the slots
    # counted: kept by the same trigger (migration 0010), so a search neither sums slots per
    # result nor probes them for "open seats only". Once `seats_open_until` has passed, the
    # figure is stale until the hourly refresh, and search counts those listings' slots itself.
    seats_open = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    seats_open_until = models.DateField(null=True, blank=True, editable=False)
    # Which demo listing this row is (rotations/demo.py): the seeder finds its rows by this key,
    # never by a title a coordinator may reuse or change. Empty for every real listing.
    demo_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    # Published, revealed reviews of the listing's placements: kept by the preceptors app's
    # services (rotations knows nothing of reviews), shown only from REVIEWS_MIN_PUBLISHED on.
    review_count = models.PositiveIntegerField(default=0, editable=False)
    review_average = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True, editable=False)
    # The transaction that last wrote the row (stamped by a trigger, migration 0012; slot changes
    # and an institution's verification rewrite their listings): what each process's search
    # index asks for to catch up (rotations/search_index.py).
    search_xid = models.BigIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            GinIndex(fields=["search_vector"], name="listing_search_idx"),
            GinIndex(fields=["search_title"], name="listing_search_title_idx"),
            GinIndex(fields=["search_head"], name="listing_search_head_idx"),
            # The filters that narrow most, so that the planner can combine them with the word
            # index (a bitmap AND) instead of visiting every listing that has the words.
            models.Index(fields=["status", "specialty"], name="listing_status_specialty_idx"),
            models.Index(fields=["state"], name="listing_state_idx"),
            models.Index(fields=["rotation_type"], name="listing_type_idx"),
            models.Index(fields=["audience"], name="listing_audience_idx"),
            models.Index(fields=["duration_weeks"], name="listing_duration_idx"),
            # One index per sort, in the sort's own order, so a page is read off an index.
            models.Index(fields=["status", "fee_usd", "next_start", "id"], name="listing_fee_sort_idx"),
            models.Index(fields=["status", "next_start", "fee_usd", "id"], name="listing_soonest_sort_idx"),
            # The threshold is read when the migration is made: after a change of the setting,
            # the "best rated" sort is as right as before but sorts its matches instead.
            models.Index("status", rating_shown().desc(nulls_last=True), F("review_count").desc(), "next_start", "id",
                         name="listing_rated_sort_idx"),
            models.Index(fields=["search_xid"], name="listing_search_xid_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(duration_weeks__gte=1, duration_weeks__lte=52),
                                   name="listing_duration_range"),
            models.UniqueConstraint(fields=["demo_key"], condition=~models.Q(demo_key=""),
                                    name="listing_demo_key_once"),
        ]

    def __str__(self):
        return self.title

    TRIGGER_KEPT = ("next_start", "seats_open", "seats_open_until", "search_xid")  # migrations 0003, 0010, 0012

    @property
    def reviews_shown(self) -> bool:
        """Small numbers protect reviewers: no average or count below the threshold."""
        return self.review_count >= settings.REVIEWS_MIN_PUBLISHED

    @property
    def is_hands_on(self) -> bool:
        return self.rotation_type in RotationType.hands_on()

    @property
    def is_public(self) -> bool:
        return self.status == ListingStatus.PUBLISHED and self.institution.is_verified

    # A listing's facts in words, worded here once for every page that shows them
    # (templates/rotations/_listing_facts.html, the search card); plain text, escaped where shown.
    @property
    def duration_words(self) -> str:
        return f"{self.duration_weeks} week{pluralize(self.duration_weeks)}"

    @property
    def fee_words(self) -> str:
        return f"${floatformat(self.fee_usd, '0g')}" if self.fee_usd else "Free"

    @property
    def usmle_words(self) -> str:
        step1 = "Step 1 passed" if self.requires_step1 else ""
        step2 = "Step 2 CK passed" if self.requires_step2 else ""
        if step2 and self.min_step2_score:
            step2 += f" with a score of {self.min_step2_score} or more"
        return "; ".join(filter(None, [step1, step2])) or "Not required"

    @property
    def rating_words(self) -> str:
        if not self.reviews_shown:
            return "Not enough reviews yet"
        return f"{floatformat(self.review_average, 1)} / 5 ({self.review_count} review{pluralize(self.review_count)})"

    @property
    def letter_words(self) -> str:
        return "Possible" if self.letter_possible else "Not offered"

    def get_visas_display(self) -> list[str]:
        return [Visa(v).label for v in self.visas]

    def get_required_documents_display(self) -> list[str]:
        return [DocumentKind(d).label for d in self.required_documents]


class Slot(TriggerKept):
    """A dated run of a listing with a number of seats; applicants apply to a slot."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="slots")
    start_date = models.DateField()
    end_date = models.DateField()
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    # Seats held by accepted, approved or completed placements; the constraint below is the
    # database's own guarantee that a slot is never oversold.
    seats_taken = models.PositiveSmallIntegerField(default=0, editable=False)
    application_deadline = models.DateField()
    offer_valid_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="How many days an offer stays open for the applicant to accept.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]
        indexes = [models.Index(fields=["listing", "start_date"], name="slot_listing_start_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gt=models.F("start_date")),
                                   name="slot_ends_after_start"),
            models.CheckConstraint(condition=models.Q(application_deadline__lte=models.F("start_date")),
                                   name="slot_deadline_before_start"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=models.Q(seats_taken__lte=models.F("capacity")),
                                   name="slot_never_oversold"),
        ]

    def __str__(self):
        return f"{self.listing.title}: {self.start_date:%b %d} – {self.end_date:%b %d, %Y}"

    # The database's own count (the trigger of matching's migration 0002).
    TRIGGER_KEPT = ("seats_taken",)

    @property
    def seats_left(self) -> int:
        return self.capacity - self.seats_taken

    @property
    def is_open(self) -> bool:
        """Open while seats are left and the application deadline has not passed."""
        return self.seats_left > 0 and self.application_deadline >= timezone.localdate()

    @property
    def weeks(self) -> int:
        return max(1, round((self.end_date - self.start_date + timedelta(days=1)).days / 7))


class SavedListing(models.Model):
    """A listing an applicant keeps to compare or apply to later."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_listings")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="saved_by")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "listing"], name="saved_listing_once")]

    def __str__(self):
        return f"{self.user} saved {self.listing}"
