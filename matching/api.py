"""REST API of applications: applying, reading them with their history, and every move.

Applications are fetched through `applications_visible_to` (an applicant's own, a coordinator's
institution's, all for admins), so anyone else's answers 404 like a missing one. Every change
goes through `services`: `application_submit`, and `application_transition` for each move of
every role (the coordinator's review actions included).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import Role
from applicants.selectors import documents_visible_to
from core.api_support import answers, service_errors

from .models import Application, Status
from .selectors import applications_visible_to, with_details, with_history
from .serializers import (
    ApplicationCreateSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    MoveSerializer,
    StatusFilterSerializer,
)
from .services import application_submit, application_transition


class TakesPartInApplications(BasePermission):
    message = "Only applicants, coordinators and administrators take part in applications."

    def has_permission(self, request, view):
        return request.user.role in (Role.APPLICANT, Role.COORDINATOR, Role.ADMIN)


STATUS_FILTER = OpenApiParameter("status", {"type": "string", "enum": Status.values}, OpenApiParameter.QUERY,
                                 description="Only applications in this status.")
APPLICATION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH,
                                  description="A unique integer value identifying this application.")


@extend_schema_view(
    list=extend_schema(summary="Applications you may see", parameters=[STATUS_FILTER],
                       description="An applicant's own; a coordinator's, those to their institution's slots; "
                                   "all for administrators. Newest first.",
                       responses=answers(ApplicationSerializer(many=True), 400, 403, 404)),
    retrieve=extend_schema(summary="An application with its history", parameters=[APPLICATION_ID],
                           responses=answers(ApplicationDetailSerializer, 403, 404)),
    create=extend_schema(summary="Apply to a slot", request=ApplicationCreateSerializer,
                         responses=answers(ApplicationDetailSerializer, 400, 403, code=201)),
    move=extend_schema(
        summary="Make a move on an application",
        description="review, offer, waitlist, reject and complete for the slot's coordinators; withdraw, "
                    "accept, decline and cancel for the applicant; approve and cancel for administrators. "
                    "A move the application's state or a rule forbids answers 400 and changes nothing.",
        parameters=[APPLICATION_ID], request=MoveSerializer,
        responses=answers(ApplicationDetailSerializer, 400, 403, 404)),
)
class ApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                         viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, TakesPartInApplications]

    def get_queryset(self):
        visible = applications_visible_to(self.request.user)
        return with_history(visible) if self.action == "retrieve" else with_details(visible)

    def get_serializer_class(self):
        return {"list": ApplicationSerializer, "create": ApplicationCreateSerializer,
                "move": MoveSerializer}.get(self.action, ApplicationDetailSerializer)

    def filter_queryset(self, queryset):
        if self.action != "list":
            return queryset
        params = StatusFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        wanted = params.validated_data.get("status")
        return queryset.filter(status=wanted) if wanted else queryset

    def retrieve(self, request, *args, **kwargs):
        return Response(self._output(self.get_object()))

    def create(self, request, *args, **kwargs):
        if request.user.role != Role.APPLICANT:  # before validation: errors would tell nothing useful
            raise exceptions.PermissionDenied("Only applicants apply to rotations.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            application = application_submit(applicant=request.user, **serializer.validated_data)
        return Response(self._detail(application), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        application = self.get_object()  # 404 first: a stranger learns nothing from the errors
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_errors():
            application = application_transition(application=application, by=request.user,
                                                 **serializer.validated_data)
        return Response(self._detail(application))

    def _detail(self, application: Application) -> dict:
        """The application as stored now, in the shape of `retrieve`."""
        return self._output(with_history(applications_visible_to(self.request.user)).get(pk=application.pk))

    def _output(self, application: Application) -> dict:
        """An application loaded by `with_history`, with what the reader may see beside it."""
        context = self.get_serializer_context()
        if self.request.user.role in (Role.COORDINATOR, Role.ADMIN):
            context["applicant_documents"] = documents_visible_to(self.request.user).filter(
                applicant_id=application.applicant_id).order_by("kind", "id")
        return ApplicationDetailSerializer(application, context=context).data


# Ids are matched as any path segment, not <int:>, so that "abc" gets the API's JSON 404.
router = SimpleRouter(use_regex_path=False)
router.register("applications", ApplicationViewSet, basename="api-application")

urlpatterns = router.urls
