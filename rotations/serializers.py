"""API serializers of listings and slots: what the public sees, and what coordinators write and read."""

from localflavor.us import us_states
from rest_framework import serializers

from accounts.models import Role
from core.api_support import CalledCharField, CalledListField, IdField
from institutions.models import Institution, Preceptor

from .models import Listing, Slot
from .policies import may_name_preceptors
from .validation import listing_requirement_errors, slot_date_errors

# --- Output -------------------------------------------------------------------------------------

# USStateField's choices are sorted by their translated names each time they are read, and a
# ModelSerializer reads them for every serializer it builds (2 ms of each page of the listings
# API): the same choices, sorted once (the API shows the code).
STATE_CHOICES = tuple(us_states.STATE_CHOICES)


def state_output():
    return serializers.ChoiceField(choices=STATE_CHOICES, read_only=True, help_text="Two-letter USPS state code.")


class InstitutionBriefSerializer(serializers.ModelSerializer):
    kind_label = CalledCharField("get_kind_display")
    # Not documented as a URI: an institution without a website has an empty string.
    website = serializers.CharField(read_only=True, help_text="The institution's website, or empty.")
    state = state_output()

    class Meta:
        model = Institution
        fields = ["id", "name", "kind", "kind_label", "city", "state", "website"]
        read_only_fields = fields


class PreceptorBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Preceptor
        fields = ["id", "full_name", "credentials"]
        read_only_fields = fields


class PublicSlotSerializer(serializers.ModelSerializer):
    """A dated run of a listing as applicants see it: seats left and whether it still takes applications."""

    seats_left = serializers.IntegerField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Slot
        fields = ["id", "start_date", "end_date", "capacity", "seats_left", "application_deadline",
                  "offer_valid_days", "is_open"]
        read_only_fields = fields


class PublicListingSerializer(serializers.ModelSerializer):
    """Every fact an applicant needs to decide, with the listing's slots.

    Expects the listing loaded by `selectors.with_slots` (institution, slots and preceptors).
    """

    institution = InstitutionBriefSerializer(read_only=True)
    state = state_output()
    specialty_label = CalledCharField("get_specialty_display")
    rotation_type_label = CalledCharField("get_rotation_type_display")
    hands_on = serializers.BooleanField(source="is_hands_on", read_only=True)
    setting_label = CalledCharField("get_setting_display")
    audience_label = CalledCharField("get_audience_display")
    visa_labels = CalledListField("get_visas_display", child=serializers.CharField())
    required_document_labels = CalledListField("get_required_documents_display", child=serializers.CharField())
    preceptors = PreceptorBriefSerializer(many=True, read_only=True)
    slots = PublicSlotSerializer(many=True, read_only=True)
    review_count = serializers.SerializerMethodField(
        help_text="Published reviews; null below the small-numbers threshold (REVIEWS_MIN_PUBLISHED).")
    review_average = serializers.SerializerMethodField(help_text="Their average overall rating, or null.")

    class Meta:
        model = Listing
        fields = [
            "id", "title", "institution", "city", "state",
            "specialty", "specialty_label", "rotation_type", "rotation_type_label", "hands_on",
            "setting", "setting_label", "audience", "audience_label", "visas", "visa_labels",
            "requires_step1", "requires_step2", "min_step2_score",
            "required_documents", "required_document_labels", "duration_weeks",
            "fee_usd", "fee_covers", "refund_policy", "letter_possible", "preceptors",
            "description", "published_at", "slots", "review_count", "review_average",
        ]
        read_only_fields = fields

    def get_review_count(self, listing) -> int | None:
        return listing.review_count if listing.reviews_shown else None

    def get_review_average(self, listing) -> float | None:
        return float(listing.review_average) if listing.reviews_shown and listing.review_average is not None else None


class ManagedSlotSerializer(PublicSlotSerializer):
    """A slot as its institution's coordinators see it, with the seats already taken."""

    class Meta(PublicSlotSerializer.Meta):
        fields = ["id", "listing", "start_date", "end_date", "capacity", "seats_taken", "seats_left",
                  "application_deadline", "offer_valid_days", "is_open", "created_at"]
        read_only_fields = fields


class SavedSlotSerializer(ManagedSlotSerializer):
    """The answer to a slot's creation or change: the slot, and what the coordinator should know."""

    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="Said though the save went through, e.g. more open offers than free seats "
                  "(naming them); empty as a rule.")

    class Meta(ManagedSlotSerializer.Meta):
        fields = [*ManagedSlotSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class ManagedListingSerializer(PublicListingSerializer):
    """A listing as its institution's coordinators see it: the public facts plus its moderation state."""

    status_label = CalledCharField("get_status_display")
    slots = ManagedSlotSerializer(many=True, read_only=True)

    class Meta(PublicListingSerializer.Meta):
        fields = [*PublicListingSerializer.Meta.fields, "status", "status_label", "return_reason",
                  "submitted_at", "created_at", "updated_at"]
        read_only_fields = fields


# --- Input --------------------------------------------------------------------------------------


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


class ListingInputSerializer(serializers.ModelSerializer):
    """What a coordinator writes; institution, status, dates and the search document are not input."""

    preceptors = IdField(
        many=True, required=False, queryset=Preceptor.objects.none(),
        help_text="Ids of preceptors of the listing's institution.")

    class Meta:
        model = Listing
        fields = [
            "title", "specialty", "rotation_type", "setting", "city", "state",
            "audience", "visas", "requires_step1", "requires_step2", "min_step2_score",
            "required_documents", "duration_weeks", "fee_usd", "fee_covers", "refund_policy",
            "letter_possible", "preceptors", "description",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        # Another institution's preceptor answers "does not exist", like a missing one.
        self.fields["preceptors"].child_relation.queryset = (
            Preceptor.objects.all() if _is_admin(user)
            else Preceptor.objects.filter(
                memberships__institution__coordinators__user_id=getattr(user, "pk", None)).distinct())

    def validate_visas(self, value):
        return _unique(value)

    def validate_required_documents(self, value):
        return _unique(value)

    def validate(self, attrs):
        def value(name, default=None):
            return attrs.get(name, getattr(self.instance, name, default))

        errors = listing_requirement_errors(min_step2_score=value("min_step2_score"),
                                            requires_step2=value("requires_step2", False))
        if errors:
            raise serializers.ValidationError(errors)
        institution_id = attrs["institution"].pk if attrs.get("institution") else getattr(
            self.instance, "institution_id", None)
        if institution_id and not may_name_preceptors(institution_id, attrs.get("preceptors", [])):
            raise serializers.ValidationError(
                {"preceptors": "Choose preceptors who teach at the listing's own institution."})
        return attrs


class ListingCreateSerializer(ListingInputSerializer):
    """A new listing. A coordinator's belongs to the coordinator's own institution, whatever is
    posted; an administrator names the institution."""

    institution = IdField(
        queryset=Institution.objects.all(), required=False,
        help_text="Administrators only, and required from them: the institution that offers the "
                  "listing. Ignored for coordinators, whose listings belong to their own institution.")

    class Meta(ListingInputSerializer.Meta):
        fields = ["institution", *ListingInputSerializer.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        view = self.context.get("view")
        user = getattr(self.context.get("request"), "user", None)
        if not _is_admin(user) and not getattr(view, "swagger_fake_view", False):
            del self.fields["institution"]

    def validate(self, attrs):
        if "institution" in self.fields and attrs.get("institution") is None:
            raise serializers.ValidationError(
                {"institution": "Administrators choose the institution that offers the listing."})
        return super().validate(attrs)


def _is_admin(user) -> bool:
    return getattr(user, "role", None) == Role.ADMIN


class SlotInputSerializer(serializers.ModelSerializer):
    """The dates and seats of a slot, checked like the web form (`forms.SlotForm`) so that each
    error names its field; the database constraints on `Slot` remain the final guarantee."""

    class Meta:
        model = Slot
        fields = ["start_date", "end_date", "capacity", "application_deadline", "offer_valid_days"]

    def validate(self, attrs):
        def value(name):
            return attrs.get(name, getattr(self.instance, name, None))

        errors = slot_date_errors(
            start=value("start_date"), end=value("end_date"), deadline=value("application_deadline"),
            start_moved="start_date" in attrs and attrs["start_date"] != getattr(self.instance, "start_date", None),
        )
        if errors:
            raise serializers.ValidationError(errors)
        return attrs
