"""REST API of letters of recommendation.

The applicant: their letter requests (create, list, cancel) and their shares with programs
(create, list, revoke, with the access log). A waived letter is only ever status fields: the API
has no field that carries a letter or a link to one for its applicant; an unwaived uploaded letter
carries the web download path. A preceptor: the requests addressed to them that await a letter.
Uploads go through the web pages (the e-mailed link or the dashboard), where the PDF is checked.
"""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api_support import IdField, answers, service_errors
from institutions.models import Preceptor

from . import policies
from . import selectors_letters as selectors
from . import services_letters as services
from .models import LetterAccess, LetterRequest, LetterShare


class LetterRequestSerializer(serializers.ModelSerializer):
    reminders_sent = serializers.SerializerMethodField(help_text="When each scheduled reminder went to the author.")
    download_url = serializers.SerializerMethodField(
        help_text="The web path of the letter for its applicant: only for an uploaded letter they did not waive; "
                  "null otherwise, always null for a waived letter.")

    class Meta:
        model = LetterRequest
        fields = ["id", "code", "preceptor", "author_name", "author_email", "author_title", "author_department",
                  "specialty_label", "message", "waived", "waiver_recorded_at", "status", "created_at",
                  "uploaded_at", "link_expires_at", "nudged_at", "reminders_sent", "download_url"]
        read_only_fields = fields

    def get_reminders_sent(self, letter) -> list[str]:
        return [at.isoformat() for at in selectors.letter_reminders_sent([letter]).get(letter.pk, [])]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download_url(self, letter):
        user = self.context["request"].user
        if policies.applicant_may_read_letter(letter, user):
            return reverse("preceptors:letter_download", args=[letter.pk])
        return None


class ExplicitBooleanField(serializers.BooleanField):
    """A yes/no that must be given: DRF reads a boolean missing from a form body as false, which
    here would quietly keep the applicant's right to read a letter they never chose about."""

    default_empty_html = serializers.empty


class LetterRequestInputSerializer(serializers.Serializer):
    preceptor = IdField(queryset=Preceptor.objects.all(), required=False, allow_null=True,
                        help_text="A preceptor of one of your completed placements; or leave out and name the author.")
    author_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    author_email = serializers.EmailField(required=False, allow_blank=True)
    author_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    author_department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    specialty_label = serializers.CharField(max_length=100)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    waived = ExplicitBooleanField(help_text="Required: true waives your right to see the letter.")


class LetterAccessSerializer(serializers.ModelSerializer):
    letter = serializers.CharField(source="request.code", default=None, help_text="The letter ID, for a download.")

    class Meta:
        model = LetterAccess
        fields = ["kind", "letter", "at", "ip_prefix"]


class LetterShareSerializer(serializers.ModelSerializer):
    accesses = LetterAccessSerializer(many=True, read_only=True)

    class Meta:
        model = LetterShare
        fields = ["id", "program_name", "recipient_email", "letters", "created_at", "expires_at", "revoked_at",
                  "accesses"]
        read_only_fields = ["created_at", "expires_at", "revoked_at", "accesses"]
        extra_kwargs = {"letters": {"help_text": "Up to four of your uploaded letters (ids)."}}


class PendingLetterSerializer(serializers.ModelSerializer):
    applicant_name = serializers.SerializerMethodField()

    class Meta:
        model = LetterRequest
        fields = ["id", "code", "applicant_name", "specialty_label", "message", "waived", "status", "created_at"]

    def get_applicant_name(self, letter) -> str:
        return letter.applicant.get_full_name()


@extend_schema_view(
    list=extend_schema(summary="Your letter requests", responses=answers(LetterRequestSerializer(many=True))),
    retrieve=extend_schema(summary="One of your letter requests", responses=answers(LetterRequestSerializer, 404)),
    create=extend_schema(summary="Ask for a letter", request=LetterRequestInputSerializer,
                         description="E-mails the author the request, its letter ID and an upload link.",
                         responses=answers(LetterRequestSerializer, 400, 403, code=201)),
    cancel=extend_schema(summary="Cancel a request that has no letter yet", request=None,
                         responses=answers(LetterRequestSerializer, 400, 404)),
)
class LetterRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = LetterRequestSerializer

    def get_queryset(self):
        return selectors.letters_of_applicant(self.request.user)

    def create(self, request, *args, **kwargs):
        data = LetterRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            letter = services.letter_request_create(applicant=request.user, data=dict(data.validated_data))
        return Response(self.get_serializer(letter).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        with service_errors():
            letter = services.letter_cancel(letter=self.get_object(), by=request.user)
        return Response(self.get_serializer(letter).data)


@extend_schema_view(
    list=extend_schema(summary="Your shares with programs, with who opened them",
                       responses=answers(LetterShareSerializer(many=True))),
    retrieve=extend_schema(summary="One of your shares", responses=answers(LetterShareSerializer, 404)),
    create=extend_schema(summary="Share up to four uploaded letters with a program",
                         description="E-mails the recipient a link valid LETTER_SHARE_DAYS days.",
                         responses=answers(LetterShareSerializer, 400, 403, code=201)),
    revoke=extend_schema(summary="Withdraw a share", request=None, responses=answers(LetterShareSerializer, 404)),
)
class LetterShareViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = LetterShareSerializer

    def get_queryset(self):
        return selectors.shares_of_applicant(self.request.user).prefetch_related("accesses__request")

    def get_serializer(self, *args, **kwargs):
        # The letters field offers and accepts only the user's own requests (the browsable API
        # draws its form from it); the service checks the rest.
        serializer = super().get_serializer(*args, **kwargs)
        if not isinstance(serializer, serializers.ListSerializer):
            serializer.fields["letters"].child_relation.queryset = selectors.letters_of_applicant(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            share = services.letter_share_create(applicant=request.user, letters=data.validated_data["letters"],
                                                 program_name=data.validated_data["program_name"],
                                                 recipient_email=data.validated_data["recipient_email"])
        return Response(self.get_serializer(share).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        share = services.letter_share_revoke(share=self.get_object(), by=request.user)
        return Response(self.get_serializer(share).data)


@extend_schema_view(
    list=extend_schema(summary="Letters asked of you that await your upload",
                       responses=answers(PendingLetterSerializer(many=True))),
    retrieve=extend_schema(summary="One letter asked of you", responses=answers(PendingLetterSerializer, 404)),
)
class PendingLetterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = PendingLetterSerializer

    def get_queryset(self):
        return selectors.letters_pending_for_author(self.request.user)


router = SimpleRouter(use_regex_path=False)
router.register("letters", LetterRequestViewSet, basename="api-letter")
router.register("letter-shares", LetterShareViewSet, basename="api-letter-share")
router.register("preceptor/letter-requests", PendingLetterViewSet, basename="api-pending-letter")
urlpatterns = router.urls
