"""API serializers of the applicant's profile and document vault (metadata only, never file bytes)."""

from django.urls import reverse
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from localflavor.us.us_states import US_STATES
from rest_framework import serializers

from core.api_support import CalledCharField
from rotations.choices import DocumentKind

from .models import Document, Profile
from .policies import MAX_FILE_NAME
from .uploads import FILE_ERRORS
from .validation import MAX_LANGUAGES


class ProfileSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """The applicant's profile, read and written in one shape. The calendar token stays out: it is
    the secret of the applicant's calendar feed, not profile data. Values that contradict each
    other are refused by `Profile.clean()` (through `profile_save`), each under its field."""

    class Meta:
        model = Profile
        fields = [
            "id", "legal_name", "citizenship", "medical_school", "school_country", "stage",
            "graduation_year", "ecfmg_status", "step1_status", "step1_score", "step2_status",
            "step2_score", "visa_status", "languages", "specialties", "preferred_states",
            "available_from", "available_until", "budget_usd", "target_match_year", "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def validate_languages(self, value):
        languages = _unique([language.strip() for language in value if language.strip()])
        if len(languages) > MAX_LANGUAGES:
            raise serializers.ValidationError(f"List at most {MAX_LANGUAGES} languages.")
        return languages

    def validate_specialties(self, value):
        return _unique(value)

    def validate_preferred_states(self, value):
        # The same list as the profile form: the 50 states and DC.
        unknown = [code for code in value if code not in _STATES]
        if unknown:
            raise serializers.ValidationError(f"Not a US state: {', '.join(sorted(set(unknown)))[:100]}.")
        return _unique(value)


_STATES = {code for code, _ in US_STATES}


def _unique(values: list) -> list:
    return list(dict.fromkeys(values))


class DocumentSerializer(serializers.ModelSerializer):
    """A document's metadata; the file itself only ever comes through `download_url`, a web view
    that checks permission and records the download."""

    kind_label = CalledCharField("get_kind_display")
    status_label = CalledCharField("get_status_display")
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "kind", "kind_label", "status", "status_label", "expires_on", "original_name",
                  "content_type", "size", "uploaded_at", "rejection_reason", "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, document: Document) -> str:
        url = reverse("applicants:document_download", args=[document.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DocumentUploadSerializer(serializers.Serializer):
    """A new document (or a replacement for the one of the same kind). Its content decides its
    type: PDF, PNG or JPEG, whatever it is called."""

    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    file = serializers.FileField(max_length=None, use_url=False, error_messages=FILE_ERRORS,
                                 help_text="A PDF, PNG or JPEG file, up to the size limit; its name at "
                                           f"most {MAX_FILE_NAME} characters.")
    expires_on = serializers.DateField(
        required=False, allow_null=True,
        help_text="Required for documents that expire (passport, immunizations, TB test, insurance, "
                  "background check, BLS/ACLS, HIPAA); refused for the others.")
