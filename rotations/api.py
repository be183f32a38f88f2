"""REST API of listings: the public search, and coordinators' management of their listings and slots.

Every object is fetched through a query scoped to the user (`selectors`), so another institution's
listing answers 404 like a missing one; every write goes through `services`.
"""

from functools import cached_property

from django import forms
from django.core.paginator import InvalidPage
from django.urls import path
from django.utils.decorators import method_decorator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import Role
from core.api_support import error_answers, service_errors
from institutions.selectors import coordinator_institution_id

from .models import Listing, Slot
from .search import CappedPaginator, FlagField, SearchForm, listing_search, most_shown
from .search_cache import cache_anonymous_search
from .search_kept import Kept
from .selectors import listings_managed_by, listings_public, slots_managed_by, with_slots
from .serializers import (
    ListingCreateSerializer,
    ListingInputSerializer,
    ManagedListingSerializer,
    ManagedSlotSerializer,
    PublicListingSerializer,
    SavedSlotSerializer,
    SlotInputSerializer,
)
from .services import listing_save, listing_transition, slot_delete, slot_save


class ManagesListings(BasePermission):
    message = "Only coordinators and administrators manage listings."

    def has_permission(self, request, view):
        return request.user.role in (Role.COORDINATOR, Role.ADMIN)


MANAGER_PERMISSIONS = [IsAuthenticated, ManagesListings]


answers = error_answers(name="ListingErrorDetail",
                        forbidden="Not logged in, or not a coordinator or administrator.")


# --- Public search ------------------------------------------------------------------------------


def _search_parameter(name: str, field: forms.Field) -> OpenApiParameter:
    """The query parameter of one field of the web search form, so the two never drift apart."""
    if isinstance(field, FlagField):
        schema = OpenApiTypes.BOOL
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [value for value, _ in field.choices if value]}
    elif isinstance(field, forms.IntegerField):
        bounds = {"minimum": field.min_value, "maximum": field.max_value}
        schema = {"type": "integer", **{key: value for key, value in bounds.items() if value is not None}}
    elif isinstance(field, forms.DateField):
        schema = {"type": "string", "pattern": r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"}
    else:
        schema = {"type": "string", "maxLength": field.max_length}
    description = f"{field.label}." + (" YYYY-MM." if isinstance(field, forms.DateField) else "")
    return OpenApiParameter(name, type=schema, location=OpenApiParameter.QUERY, description=description)


SEARCH_PARAMETERS = [_search_parameter(name, field) for name, field in SearchForm.base_fields.items()]


# What the API shows of a listing, kept per version of the listing; about 3 KB each.
items = Kept(size=10_000)
# The listings at the head of each sort: about 5,600 of 100,000 listings, 4 of 5 items shown.
WARM_HEADS = 2000


def warm() -> None:
    """Serialize the listings most searches show (search_index.heads) before the first search
    does: about 2 s per web process for 100,000 listings (gunicorn.conf.py)."""
    for page in most_shown(WARM_HEADS, rows=with_slots):
        items.page(page, lambda rows: PublicListingSerializer(rows, many=True).data)


class CappedPagination(PageNumberPagination):
    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        """DRF's, returning the page's own list: a page of the search index (IndexedPage) is read
        only for the items not kept (rotations/search_kept.py), where list(page) would read all."""
        self.request = request
        paginator = self.django_paginator_class(queryset, self.get_page_size(request))
        page_number = self.get_page_number(request, paginator)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise exceptions.NotFound(self.invalid_page_message.format(page_number=page_number, message=str(exc))) from exc
        return self.page.object_list


@extend_schema_view(
    list=extend_schema(summary="Search published listings", parameters=SEARCH_PARAMETERS,
                       responses=answers(PublicListingSerializer(many=True), 400, 404)),
    retrieve=extend_schema(summary="A published listing with its slots",
                           responses=answers(PublicListingSerializer, 404)),
)
@method_decorator(cache_anonymous_search, name="dispatch")
class ListingSearchViewSet(viewsets.ReadOnlyModelViewSet):
    """Published listings of verified institutions, open to anyone.

    `count` is exact when the search index answers (nearly always); a search left to queries
    (rotations/search_index.py says which) counts up to 1001, meaning "more than 1000".
    Anonymous answers are cached until public listings change.
    """

    permission_classes = [AllowAny]
    serializer_class = PublicListingSerializer
    pagination_class = CappedPagination

    def get_queryset(self):
        if self.action == "list":
            return listing_search(self._search_params(), rows=with_slots)
        return with_slots(listings_public())

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(items.page(page, lambda rows: self.get_serializer(rows, many=True).data))

    def _search_params(self) -> dict:
        form = SearchForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return form.cleaned_data


# --- Coordinators' listings ---------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="The listings you manage",
                       responses=answers(ManagedListingSerializer(many=True), 403, 404)),
    retrieve=extend_schema(summary="A listing you manage",
                           responses=answers(ManagedListingSerializer, 403, 404)),
    create=extend_schema(summary="Create a draft listing", request=ListingCreateSerializer,
                         responses=answers(ManagedListingSerializer, 400, 403, code=201)),
    update=extend_schema(summary="Edit a draft or returned listing", request=ListingInputSerializer,
                         responses=answers(ManagedListingSerializer, 400, 403, 404)),
    partial_update=extend_schema(summary="Edit some facts of a draft or returned listing",
                                 request=ListingInputSerializer,
                                 responses=answers(ManagedListingSerializer, 400, 403, 404)),
    submit=extend_schema(summary="Submit the listing for review", request=None,
                         responses=answers(ManagedListingSerializer, 400, 403, 404)),
    archive=extend_schema(summary="Archive the listing", request=None,
                          responses=answers(ManagedListingSerializer, 400, 403, 404)),
)
class CoordinatorListingViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin,
                                mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Listings of the coordinator's institution (all of them for administrators).

    There is no delete: a listing leaves the site by archiving, a moderation step.
    """

    permission_classes = MANAGER_PERMISSIONS

    def get_queryset(self):
        return with_slots(listings_managed_by(self.request.user)).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return ListingCreateSerializer
        if self.action in ("update", "partial_update"):
            return ListingInputSerializer
        return ManagedListingSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        preceptors = data.pop("preceptors", None)
        institution = data.pop("institution", None)
        listing = Listing(institution_id=institution.pk if institution else self._own_institution_id(), **data)
        with service_errors():
            listing_save(listing=listing, by=request.user, preceptors=preceptors)
        return Response(self._output(listing), status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        listing = self.get_object()
        serializer = self.get_serializer(listing, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        preceptors = data.pop("preceptors", None)
        for name, value in data.items():
            setattr(listing, name, value)
        with service_errors():
            listing_save(listing=listing, by=request.user, preceptors=preceptors)
        return Response(self._output(listing))

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._transition("submit")

    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        return self._transition("archive")

    def _transition(self, name: str) -> Response:
        listing = self.get_object()
        with service_errors():
            listing_transition(listing=listing, action=name, by=self.request.user)
        return Response(self._output(listing))

    def _own_institution_id(self) -> int:
        institution_id = coordinator_institution_id(self.request.user)
        if institution_id is None:
            raise exceptions.PermissionDenied("You are not a coordinator of any institution.")
        return institution_id

    def _output(self, listing: Listing) -> dict:
        """The listing as stored now, in the shape of the other answers."""
        fresh = self.get_queryset().get(pk=listing.pk)
        return ManagedListingSerializer(fresh, context=self.get_serializer_context()).data


# --- Coordinators' slots ------------------------------------------------------------------------

LISTING_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                              description="A unique integer value identifying this listing.")


@extend_schema_view(
    get=extend_schema(summary="The slots of a listing you manage", parameters=[LISTING_ID],
                      responses=answers(ManagedSlotSerializer(many=True), 403, 404)),
    post=extend_schema(summary="Add a slot to a listing you manage", parameters=[LISTING_ID],
                       request=SlotInputSerializer,
                       responses=answers(SavedSlotSerializer, 400, 403, 404, code=201)),
)
class ListingSlotsView(generics.ListCreateAPIView):
    """The dated slots of one listing the user manages; another institution's listing answers 404."""

    permission_classes = MANAGER_PERMISSIONS

    def get_serializer_class(self):
        return SlotInputSerializer if self.request.method == "POST" else ManagedSlotSerializer

    @cached_property
    def listing(self) -> Listing:
        return generics.get_object_or_404(listings_managed_by(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Slot.objects.none()
        return self.listing.slots.order_by("start_date", "id")

    def create(self, request, *args, **kwargs):
        listing = self.listing  # 404 before any validation: a stranger learns nothing from errors
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        slot = Slot(listing=listing, **serializer.validated_data)
        with service_errors():
            slot_save(slot=slot, by=request.user)
        return Response(SavedSlotSerializer(slot).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(summary="A slot of a listing you manage",
                           responses=answers(ManagedSlotSerializer, 403, 404)),
    update=extend_schema(summary="Change a slot", request=SlotInputSerializer,
                         responses=answers(SavedSlotSerializer, 400, 403, 404)),
    partial_update=extend_schema(summary="Change some facts of a slot", request=SlotInputSerializer,
                                 responses=answers(SavedSlotSerializer, 400, 403, 404)),
    destroy=extend_schema(summary="Delete a slot with no seats taken",
                          responses=answers(None, 400, 403, 404, code=204)),
)
class CoordinatorSlotViewSet(mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin,
                             viewsets.GenericViewSet):
    """One slot of a listing the user manages; another institution's slot answers 404."""

    permission_classes = MANAGER_PERMISSIONS

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return SlotInputSerializer
        return ManagedSlotSerializer

    def get_queryset(self):
        return slots_managed_by(self.request.user).select_related("listing")

    def update(self, request, *args, partial=False, **kwargs):
        slot = self.get_object()
        serializer = self.get_serializer(slot, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        for name, value in serializer.validated_data.items():
            setattr(slot, name, value)
        with service_errors():
            slot_save(slot=slot, by=request.user)
        return Response(SavedSlotSerializer(slot).data)

    def perform_destroy(self, instance):
        with service_errors():
            slot_delete(slot=instance, by=self.request.user)


# Ids are matched as any path segment, not <int:>, so that "abc" or "-1" get the API's JSON 404
# (the lookup turns a bad id into Http404) rather than the site's HTML one.
router = SimpleRouter(use_regex_path=False)
router.register("listings", ListingSearchViewSet, basename="api-listing")
router.register("coordinator/listings", CoordinatorListingViewSet, basename="api-coordinator-listing")
router.register("coordinator/slots", CoordinatorSlotViewSet, basename="api-coordinator-slot")

urlpatterns = [
    *router.urls,
    path("coordinator/listings/<str:pk>/slots/", ListingSlotsView.as_view(),
         name="api-coordinator-listing-slots"),
]
