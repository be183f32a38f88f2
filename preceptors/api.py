"""REST API of reviews and evaluations.

Reviews: anyone reads the published, revealed reviews of listings past the small-numbers
threshold; the eligible applicant writes one (`POST`), reads their own with `?mine=true`, and
resubmits a rejected one once (`POST …/resubmit/`); the host posts one response to a published
review of their placement (`POST …/response/`).
Evaluations: a preceptor of the placement writes them (a second is a correction, a new version);
the applicant reads their own once revealed, the institution's coordinators those of their
placements. Every write goes through `services`; lookups through the user-scoped selectors.
"""

from django.conf import settings
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api_support import answers, service_errors

from . import services
from .models import Evaluation
from .selectors import evaluations_visible_to, reviews_public, reviews_visible_to
from .serializers import (
    EvaluationInputSerializer,
    EvaluationSerializer,
    OwnReviewSerializer,
    PublicReviewSerializer,
    ResponseInputSerializer,
    ResponseSerializer,
    ReviewEditSerializer,
    ReviewInputSerializer,
)

LISTING = OpenApiParameter("listing", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Only this listing's.")
MINE = OpenApiParameter("mine", OpenApiTypes.BOOL, OpenApiParameter.QUERY,
                        description="Your own reviews, with their moderation state (logged-in applicants).")


def _int(value) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@extend_schema_view(
    list=extend_schema(summary="Published reviews", parameters=[LISTING, MINE],
                       description="Of listings with at least REVIEWS_MIN_PUBLISHED published reviews; never the "
                                   "reviewer's name or dates, only the month the rotation ended.",
                       responses=answers(PublicReviewSerializer(many=True))),
    retrieve=extend_schema(summary="A published review", responses=answers(PublicReviewSerializer, 404)),
    create=extend_schema(summary="Review your completed placement", request=ReviewInputSerializer,
                         description="Once, within REVIEW_WINDOW_DAYS after the rotation's end; it awaits moderation.",
                         responses=answers(OwnReviewSerializer, 400, 403, code=201)),
    resubmit=extend_schema(summary="Edit and resubmit your rejected review", request=ReviewEditSerializer,
                           description="Once, after a rejection; it goes back to moderation.",
                           responses=answers(OwnReviewSerializer, 400, 403, 404)),
    respond=extend_schema(summary="Respond publicly to a review of your placement", request=ResponseInputSerializer,
                           description="One response per published review, by a preceptor of the listing or a "
                                       "coordinator of its institution; it awaits moderation.",
                           responses=answers(ResponseSerializer, 400, 403, 404, code=201)),
)
class ReviewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    # Writes need a login; the reviews a write may name are those the user can see as theirs.
    WRITES = ("create", "resubmit", "respond")

    def get_permissions(self):
        return [IsAuthenticated()] if self.action in self.WRITES else [AllowAny()]

    def _mine(self) -> bool:
        return self.request.query_params.get("mine") in ("1", "true") and self.request.user.is_authenticated

    def get_queryset(self):
        if self.action in ("resubmit", "respond"):
            return reviews_visible_to(self.request.user)
        if self.action == "list" and self._mine():
            return reviews_visible_to(self.request.user).filter(application__applicant=self.request.user)
        qs = reviews_public(timezone.now()).filter(listing__review_count__gte=settings.REVIEWS_MIN_PUBLISHED)
        if listing := _int(self.request.query_params.get("listing")):
            qs = qs.filter(listing_id=listing)
        return qs

    def get_serializer_class(self):
        if self.action == "create" or self._mine():
            return OwnReviewSerializer
        return PublicReviewSerializer

    def create(self, request, *args, **kwargs):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = values.pop("application")
        with service_errors():
            review = services.review_submit(application=application, by=request.user, data=values)
        return Response(OwnReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def resubmit(self, request, pk=None):
        data = ReviewEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            review = services.review_resubmit(review=self.get_object(), by=request.user, data=dict(data.validated_data))
        return Response(OwnReviewSerializer(review).data)

    # Not named `response`: DRF keeps the view's answer in `self.response`.
    @action(detail=True, methods=["post"], url_path="response")
    def respond(self, request, pk=None):
        data = ResponseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            answer = services.response_post(review=self.get_object(), by=request.user, text=data.validated_data["text"])
        return Response(ResponseSerializer(answer).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Evaluations you may read",
                       description="Every version. The applicant: their own, once revealed. The placement's "
                                   "preceptors and the institution's coordinators: those of their placements.",
                       responses=answers(EvaluationSerializer(many=True), 403)),
    retrieve=extend_schema(summary="One version of an evaluation", responses=answers(EvaluationSerializer, 403, 404)),
    create=extend_schema(summary="Evaluate your placement's applicant", request=EvaluationInputSerializer,
                         description="By a preceptor of the placement's listing, from the rotation's last week to "
                                     "EVALUATION_WINDOW_DAYS after it. A second one is a correction: a new version.",
                         responses=answers(EvaluationSerializer, 400, 403, code=201)),
)
class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                        viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = EvaluationSerializer

    def get_queryset(self):
        return evaluations_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        data = EvaluationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        application = values.pop("application")
        correction = Evaluation.objects.filter(application=application).exists()
        write = services.evaluation_correct if correction else services.evaluation_submit
        with service_errors():
            evaluation = write(application=application, by=request.user, data=values)
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


router = SimpleRouter(use_regex_path=False)
router.register("reviews", ReviewViewSet, basename="api-review")
router.register("evaluations", EvaluationViewSet, basename="api-evaluation")

urlpatterns = router.urls
