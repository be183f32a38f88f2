"""REST API of the applicant's own profile and document vault.

Only applicants use these endpoints (others get 403). Documents are fetched through
`documents_visible_to`, so another applicant's document answers 404 like a missing one; every
write goes through `services`. No endpoint returns a file: `download_url` points to the web view
that checks permission and records each download.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import Role
from core.api_support import answers, service_errors

from .models import Profile
from .policies import FILE_NAME_TOO_LONG
from .selectors import documents_visible_to, profile_of
from .serializers import DocumentSerializer, DocumentUploadSerializer, ProfileSerializer
from .services import document_delete, document_upload, profile_save


class IsApplicant(BasePermission):
    message = "Only applicants have a profile and documents."

    def has_permission(self, request, view):
        return request.user.role == Role.APPLICANT


APPLICANT_PERMISSIONS = [IsAuthenticated, IsApplicant]

# --- Profile ------------------------------------------------------------------------------------


class ProfileView(GenericAPIView):
    """The logged-in applicant's own profile; there is no way to name anyone else's.

    PUT creates the profile when there is none yet (201); GET and PATCH answer 404 until then.
    """

    permission_classes = APPLICANT_PERMISSIONS
    serializer_class = ProfileSerializer

    def get_object(self) -> Profile:
        profile = profile_of(self.request.user)
        if profile is None:
            raise exceptions.NotFound("You have no profile yet; PUT one to create it.")
        return profile

    @extend_schema(summary="Your profile", responses=answers(ProfileSerializer, 403, 404))
    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary="Create or replace your profile",
                   responses={**answers(ProfileSerializer, 400, 403), 201: ProfileSerializer})
    def put(self, request):
        return self._save(profile_of(request.user), partial=False)

    @extend_schema(summary="Change some facts of your profile",
                   responses=answers(ProfileSerializer, 400, 403, 404))
    def patch(self, request):
        return self._save(self.get_object(), partial=True)

    def _save(self, profile: Profile | None, *, partial: bool) -> Response:
        serializer = self.get_serializer(profile, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        profile = profile or Profile()
        created = profile.pk is None
        for name, value in serializer.validated_data.items():
            setattr(profile, name, value)
        with service_errors():
            profile_save(user=self.request.user, profile=profile)
        return Response(self.get_serializer(profile).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


# --- Documents ----------------------------------------------------------------------------------


class DocumentParser(MultiPartParser):
    """Django's multipart parser gives up on a part whose headers pass 1 KB, as a ~1,000-character
    file name makes them; that is answered as any name too long is, under `file`, not as a parse
    error. Other malformed bodies stay parse errors."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as error:
            if "header size exceeded" not in str(error.detail):
                raise
            raise exceptions.ValidationError({"file": [FILE_NAME_TOO_LONG]}) from error


@extend_schema_view(
    list=extend_schema(summary="Your documents (metadata)",
                       responses=answers(DocumentSerializer(many=True), 403, 404)),
    retrieve=extend_schema(summary="One of your documents (metadata)",
                           responses=answers(DocumentSerializer, 403, 404)),
    create=extend_schema(
        summary="Upload a document",
        description="Replaces your document of the same kind, which then waits for verification again.",
        request={"multipart/form-data": DocumentUploadSerializer},
        responses=answers(DocumentSerializer, 400, 403, code=201)),
    destroy=extend_schema(summary="Delete one of your documents", responses=answers(None, 403, 404, code=204)),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """The applicant's document vault: metadata only; files come through `download_url`."""

    permission_classes = APPLICANT_PERMISSIONS
    parser_classes = [DocumentParser, FormParser]

    def get_queryset(self):
        return documents_visible_to(self.request.user).order_by("kind", "id")

    def get_serializer_class(self):
        return DocumentUploadSerializer if self.action == "create" else DocumentSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with service_errors():
            document = document_upload(applicant=request.user, kind=data["kind"], upload=data["file"],
                               expires_on=data.get("expires_on"))
        output = DocumentSerializer(document, context=self.get_serializer_context())
        return Response(output.data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        with service_errors():
            document_delete(document=instance, by=self.request.user)


# Ids are matched as any path segment, not <int:>, so that "abc" gets the API's JSON 404.
router = SimpleRouter(use_regex_path=False)
router.register("documents", DocumentViewSet, basename="api-document")

urlpatterns = [
    path("profile/", ProfileView.as_view(), name="api-profile"),
    *router.urls,
]
