"""REST API of preceptor profiles: anyone reads the public profiles; a preceptor writes their own.

The public serializer never shows the e-mail address or the NPI; `me/` shows the preceptor their
own NPI and verification state. Writes go through `profiles.preceptor_profile_update`, so the API
drops verification and opens NPI disputes exactly as the web form does. The photo is uploaded
through the web form only (`/preceptor/profile/`).
"""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.models import Role
from core.api_support import CalledCharField, answers, service_errors

from .models import Preceptor
from .profiles import PROFILE_FIELDS, preceptor_profile_update
from .selectors import own_preceptor_profile, preceptors_public


class MembershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="institution.pk", read_only=True)
    name = serializers.CharField(source="institution.name", read_only=True)
    city = serializers.CharField(source="institution.city", read_only=True)
    state = serializers.CharField(source="institution.state", read_only=True)


class PreceptorPublicSerializer(serializers.ModelSerializer):
    verified = serializers.BooleanField(source="is_verified", read_only=True)
    degree_label = CalledCharField("get_degree_display")
    specialty_label = CalledCharField("get_specialty_display")
    institutions = MembershipSerializer(source="memberships", many=True, read_only=True)
    photo_url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Preceptor
        fields = ["id", "full_name", "degree", "degree_label", "credentials", "specialty", "specialty_label",
                  "board", "board_year", "title", "department", "languages", "teaching_interests", "bio",
                  "institutions", "verified", "photo_url", "page_url"]
        read_only_fields = fields

    def get_photo_url(self, preceptor) -> str | None:
        return reverse("preceptors:photo", args=[preceptor.pk]) if preceptor.photo else None

    def get_page_url(self, preceptor) -> str:
        return reverse("preceptors:public", args=[preceptor.pk])


class PreceptorOwnSerializer(PreceptorPublicSerializer):
    """The preceptor's own profile: the public facts, the NPI and where verification stands."""

    class Meta(PreceptorPublicSerializer.Meta):
        fields = [*PreceptorPublicSerializer.Meta.fields, "npi", "status", "rejection_reason"]
        read_only_fields = ["id", "status", "rejection_reason", "verified", "institutions", "photo_url",
                            "page_url", "degree_label", "specialty_label"]
        extra_kwargs = {"npi": {"validators": []}}  # checked by the service, with the dispute rule


class IsPreceptor(BasePermission):
    message = "Only preceptors have a profile to edit."

    def has_permission(self, request, view):
        return request.user.role == Role.PRECEPTOR


def _public_queryset():
    return preceptors_public().prefetch_related("memberships__institution").order_by("full_name", "pk")


@extend_schema(summary="Preceptor profiles (public)", responses=PreceptorPublicSerializer(many=True))
class PreceptorListView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = PreceptorPublicSerializer

    def get_queryset(self):
        return _public_queryset()


@extend_schema(summary="One preceptor's profile (public)", responses=answers(PreceptorPublicSerializer, 404))
class PreceptorDetailView(generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = PreceptorPublicSerializer

    def get_queryset(self):
        return _public_queryset()


class PreceptorMeView(generics.GenericAPIView):
    """The logged-in preceptor's own profile; no endpoint writes anyone else's."""

    permission_classes = [IsAuthenticated, IsPreceptor]
    serializer_class = PreceptorOwnSerializer

    def get_object(self) -> Preceptor:
        preceptor = own_preceptor_profile(self.request.user)
        if preceptor is None:
            raise exceptions.NotFound("No preceptor profile belongs to this account.")
        return preceptor

    @extend_schema(summary="Your preceptor profile", responses=answers(PreceptorOwnSerializer, 403, 404))
    def get(self, request):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(summary="Change your preceptor profile",
                   responses=answers(PreceptorOwnSerializer, 400, 403, 404))
    def patch(self, request):
        preceptor = self.get_object()
        serializer = self.get_serializer(preceptor, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k in PROFILE_FIELDS}
        with service_errors():
            preceptor = preceptor_profile_update(preceptor=preceptor, by=request.user, changes=changes)
        return Response(self.get_serializer(preceptor).data)


urlpatterns = [
    path("preceptors/", PreceptorListView.as_view(), name="api-preceptor-list"),
    path("preceptors/me/", PreceptorMeView.as_view(), name="api-preceptor-me"),
    path("preceptors/<int:pk>/", PreceptorDetailView.as_view(), name="api-preceptor-detail"),
]
