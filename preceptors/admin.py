"""The Django admin shows reviews, responses, evaluations and the moderation log read-only:
moderation goes through the services at /staff/reviews/, so every decision is logged and told."""

from django.contrib import admin

from .models import Evaluation, Review, ReviewDecision, ReviewResponse


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(admin.TabularInline):
    model = ReviewDecision
    fk_name = "review"
    fields = ["action", "reason", "by", "at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ["id", "listing", "status", "overall", "would_recommend", "resubmitted", "submitted_at"]
    list_filter = ["status", "reject_reason"]
    list_select_related = ["listing"]
    search_fields = ["listing__title", "text"]
    inlines = [DecisionInline]


@admin.register(ReviewResponse)
class ReviewResponseAdmin(ReadOnly):
    list_display = ["id", "review", "status", "created_at"]
    list_filter = ["status"]


@admin.register(ReviewDecision)
class ReviewDecisionAdmin(ReadOnly):
    list_display = ["at", "action", "reason", "by", "review", "response"]
    list_filter = ["action", "reason"]
    list_select_related = ["by", "review", "response"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnly):
    list_display = ["application", "version", "author", "overall", "submitted_at"]
    list_select_related = ["application__applicant", "application__slot", "author"]
