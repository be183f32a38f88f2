"""API shapes of reviews and evaluations: one for input and one for output where they differ.
The public review names no reviewer and no dates but the month the rotation ended."""

from rest_framework import serializers

from core.api_support import IdField
from matching.models import Application

from .models import COMPETENCIES, Evaluation, Review, ReviewResponse


class ReviewInputSerializer(serializers.Serializer):
    """Shapes only: the service checks every value (ratings 1–5, text 50–5,000 characters)."""

    application = IdField(queryset=Application.objects.all(), help_text="Your completed placement.")
    overall = serializers.IntegerField(help_text="1–5")
    teaching = serializers.IntegerField(help_text="1–5")
    hands_on = serializers.IntegerField(help_text="1–5: hands-on exposure as the listing promised")
    organisation = serializers.IntegerField(help_text="1–5")
    value = serializers.IntegerField(help_text="1–5: value for the fee")
    would_recommend = serializers.BooleanField()
    text = serializers.CharField(trim_whitespace=False, allow_blank=True)


class ReviewEditSerializer(ReviewInputSerializer):
    """A rejected review, edited for its one resubmission: the same fields, same placement."""

    application = None


class ResponseInputSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, allow_blank=True, help_text="Up to 5,000 characters.")


class ResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewResponse
        fields = ["id", "review", "text", "status", "reject_reason", "created_at"]
        read_only_fields = fields


class PublicReviewSerializer(serializers.ModelSerializer):
    verified_rotation = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "listing", "verified_rotation", "overall", "teaching", "hands_on", "organisation", "value",
                  "would_recommend", "text", "response"]
        read_only_fields = fields

    def get_verified_rotation(self, review) -> str:
        return f"Verified rotation, {review.application.slot.end_date:%B %Y}"

    def get_response(self, review) -> str | None:
        response = getattr(review, "response", None)
        return response.text if response is not None and response.status == "published" else None


class OwnReviewSerializer(PublicReviewSerializer):
    """The author's view: with its moderation state and the reason of a rejection."""

    class Meta(PublicReviewSerializer.Meta):
        fields = [*PublicReviewSerializer.Meta.fields, "application", "status", "reject_reason", "resubmitted"]
        read_only_fields = fields


class EvaluationInputSerializer(serializers.Serializer):
    """Shapes only: the service checks every item. A second one for the same placement is a
    correction (a new version)."""

    application = IdField(queryset=Application.objects.all())
    overall = serializers.IntegerField(help_text="1–5")
    strengths = serializers.CharField(allow_blank=True, trim_whitespace=False)
    improvements = serializers.CharField(allow_blank=True, trim_whitespace=False)
    would_write_letter = serializers.BooleanField()

    def get_fields(self):
        fields = super().get_fields()
        for name, label in COMPETENCIES:
            fields[name] = serializers.IntegerField(help_text=f"{label}: 1–5, or 0 for not observed")
        return fields


class EvaluationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Evaluation
        fields = ["id", "application", "version", "author", *[name for name, _ in COMPETENCIES], "overall",
                  "strengths", "improvements", "would_write_letter", "submitted_at"]
        read_only_fields = fields
