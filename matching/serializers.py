"""API serializers of applications: what each role reads, and what applicants and hosts write."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Role
from applicants.serializers import DocumentSerializer, ProfileSerializer
from core.api_support import CalledCharField, IdField
from rotations.models import Listing, Slot
from rotations.selectors import listings_public
from rotations.serializers import InstitutionBriefSerializer

from .models import Application, ApplicationEvent, Status
from .moves import ADMIN, APPLICANT, COORDINATOR, MOVES, SYSTEM
from .policies import moves_open_to
from .services import STATEMENT_MAX

# --- Output -------------------------------------------------------------------------------------


class ListingSummarySerializer(serializers.ModelSerializer):
    institution = InstitutionBriefSerializer(read_only=True)
    specialty_label = CalledCharField("get_specialty_display")

    class Meta:
        model = Listing
        fields = ["id", "title", "institution", "specialty", "specialty_label", "rotation_type", "city", "state"]
        read_only_fields = fields


class SlotSummarySerializer(serializers.ModelSerializer):
    listing = ListingSummarySerializer(read_only=True)

    class Meta:
        model = Slot
        fields = ["id", "start_date", "end_date", "listing"]
        read_only_fields = fields


class ApplicantBriefSerializer(serializers.Serializer):
    """Who applied, by name only: e-mail addresses stay out of the API."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        profile = getattr(user, "profile", None)  # loaded by `with_details`; None when missing
        return profile.legal_name if profile else (user.get_full_name() or "Applicant")


class ApplicationEventSerializer(serializers.ModelSerializer):
    """One move of the audit trail: who made it by role only, not by name or e-mail."""

    # "" for the first event (the submission), which starts from no state.
    from_status = serializers.ChoiceField(choices=Status.choices, allow_blank=True, read_only=True)
    by_role = serializers.SerializerMethodField(
        help_text="The role of whoever made the move; `system` for automatic moves "
                  "(expired offers; open offers ended when the last seat was taken).")

    class Meta:
        model = ApplicationEvent
        fields = ["action", "from_status", "to_status", "by_role", "message", "at"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=[APPLICANT, COORDINATOR, ADMIN, SYSTEM]))
    def get_by_role(self, event: ApplicationEvent) -> str:
        return event.by.role if event.by_id else SYSTEM


class ApplicationSerializer(serializers.ModelSerializer):
    """An application in a list: its slot, status and the host's last message.

    Expects the application loaded by `selectors.with_details`.
    """

    applicant = ApplicantBriefSerializer(read_only=True)
    slot = SlotSummarySerializer(read_only=True)
    status_label = CalledCharField("get_status_display")

    class Meta:
        model = Application
        fields = ["id", "applicant", "slot", "status", "status_label", "message", "offer_deadline",
                  "created_at", "status_changed_at"]
        read_only_fields = fields


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application with its statement, history and the moves open to the reader now.

    Hosts and admins also get the applicant's profile and documents (`applicant_documents` in
    the context: coordinators' are only the verified ones); applicants get null there.
    Expects the application loaded by `selectors.with_history`.
    """

    events = ApplicationEventSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField(
        help_text="The moves the reader may try now (POST them to `move`); rules such as an offer's "
                  "deadline are checked when the move is made.")
    applicant_profile = serializers.SerializerMethodField(
        help_text="Coordinators and admins only (null for the applicant, and when there is no profile).")
    applicant_documents = serializers.SerializerMethodField(
        help_text="Coordinators and admins only (null for the applicant); coordinators see verified ones.")

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "statement", "events", "actions",
                  "applicant_profile", "applicant_documents"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(MOVES))))
    def get_actions(self, application: Application) -> list[str]:
        return [move.action for move in moves_open_to(application.status, _reader_role(self.context))]

    @extend_schema_field(ProfileSerializer(allow_null=True))
    def get_applicant_profile(self, application: Application):
        if not _reader_is_host(self.context):
            return None
        profile = getattr(application.applicant, "profile", None)
        return ProfileSerializer(profile).data if profile else None

    @extend_schema_field(DocumentSerializer(many=True, allow_null=True))
    def get_applicant_documents(self, application: Application):
        if not _reader_is_host(self.context):
            return None
        return DocumentSerializer(self.context["applicant_documents"], many=True, context=self.context).data


def _reader_role(context) -> str:
    """The reader's side in the table of moves; every application a reader sees is theirs to act on in
    that role (the queryset is scoped: an applicant's own, a coordinator's institution's)."""
    return {Role.APPLICANT: APPLICANT, Role.COORDINATOR: COORDINATOR, Role.ADMIN: ADMIN}.get(
        context["request"].user.role, "")


def _reader_is_host(context) -> bool:
    return context["request"].user.role in (Role.COORDINATOR, Role.ADMIN)


# --- Input --------------------------------------------------------------------------------------


class ApplicationCreateSerializer(serializers.Serializer):
    slot = IdField(
        queryset=Slot.objects.filter(listing__in=listings_public()),
        help_text="The id of a slot of a published listing.")
    statement = serializers.CharField(max_length=STATEMENT_MAX, help_text="Why this rotation, and what you bring.")


class MoveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(MOVES))
    message = serializers.CharField(allow_blank=True, max_length=STATEMENT_MAX, default="",
                                    help_text="A note to the applicant (offer, waitlist, reject).")


class StatusFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
