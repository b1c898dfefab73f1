"""The referrals API for provider systems and scripts.

Scoping is the web's: every queryset starts from `Referral.objects.for_user`, writes from
`editable_by`, so a referral outside a user's scope is a 404. Writes go through the services,
whose ValidationErrors come back as 400s with the same field names and words as the web form.

DRF exempts its views from the project's LoginRequiredMiddleware (token-authenticated requests
have no session) and leaves authentication to the permission classes: anonymous requests get
401 with `WWW-Authenticate: Token`."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from rjportal.audit.constants import AuditAction
from rjportal.audit.services import audit_record
from rjportal.imports import ImportRejected, RowError

from ..importing import MAX_API_ROWS, referral_rows_import
from ..managers import team_areas_editable_by
from ..models import Referral, ReferralEvent, ReferringTeam
from ..services import (
    referral_create,
    referral_transition,
    referral_update,
    referring_team_create,
    referring_team_update,
)
from .filters import ReferralFilter, ReferringTeamFilter
from .permissions import CanChangeReferrals, CanChangeReferringTeams, HasReferralAccess
from .serializers import (
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralImportProblemsSerializer,
    ReferralImportResultSerializer,
    ReferralImportSerializer,
    ReferralSerializer,
    ReferralTransitionSerializer,
    ReferralUpdateSerializer,
    ReferringTeamSerializer,
    ReferringTeamWriteSerializer,
)

WHOLE_NUMBER = re.compile(r"[0-9]+")


class ApiPagination(PageNumberPagination):
    """Pages of 100, or `page_size` (sizes above 1000 give 1000). A page or page size that is
    not a whole number from 1 is refused rather than quietly replaced: a page that does not
    exist is a 404, a page size a 400."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not WHOLE_NUMBER.fullmatch(raw) or int(raw) < 1:
            raise ValidationError({self.page_size_query_param: ["Enter a whole number from 1"]})
        return min(int(raw), self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, "1")
        if not WHOLE_NUMBER.fullmatch(raw):
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="Not a whole number"))
        return raw

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
        return parameters


def service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's ValidationError({field: message}) as DRF's, keeping field names and words.
    Errors about the whole record (Django's "__all__") become DRF's non-field errors."""
    if not hasattr(error, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    return ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in error.message_dict.items()
        }
    )


@extend_schema_view(
    list=extend_schema(summary="List the referrals you can see"),
    retrieve=extend_schema(summary="One referral with its timeline"),
    create=extend_schema(
        summary="Record a referral",
        request=ReferralCreateSerializer,
        responses={201: ReferralDetailSerializer},
        description="Provider staff record referrals for their own organisation (a `provider` they send is "
        "ignored); national administrators must give `provider`.",
    ),
    update=extend_schema(
        summary="Change a referral",
        request=ReferralUpdateSerializer,
        responses=ReferralDetailSerializer,
        description="Every value the provider records, as when recording it. A referral's provider never "
        "changes: `provider` is not among the values.",
    ),
    partial_update=extend_schema(
        summary="Change some of a referral's values",
        request=ReferralUpdateSerializer,
        responses=ReferralDetailSerializer,
    ),
)
class ReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [IsAuthenticated, HasReferralAccess, CanChangeReferrals]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferralFilter
    queryset = Referral.objects.none()  # for the schema; get_queryset scopes by user

    def get_queryset(self):
        user = self.request.user
        referrals = Referral.objects.for_user(user)
        if self.action not in ("list", "retrieve"):
            referrals = referrals & Referral.objects.editable_by(user)
        referrals = referrals.with_clocks(timezone.localdate()).select_related("provider", "area", "referring_team")
        if self.action != "list":
            referrals = referrals.prefetch_related(
                Prefetch("events", queryset=ReferralEvent.objects.order_by("happened_on", "id"))
            )
        return referrals

    def get_serializer_class(self):
        return ReferralSerializer if self.action == "list" else ReferralDetailSerializer

    def _respond_with(self, referral, status_code=status.HTTP_200_OK):
        """The referral as saved, re-read with its clock statuses and timeline."""
        referral = self.get_queryset().get(pk=referral.pk)
        return Response(ReferralDetailSerializer(referral, context=self.get_serializer_context()).data, status_code)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown = len(response.data["results"])
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            summary=f"Listed {shown} referrals via API",
            changes={"count": response.data["count"], "query": request.query_params.dict()},
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        referral = self.get_object()
        audit_record(
            actor=request.user, action=AuditAction.VIEW, target=referral, summary=f"Viewed referral {referral} via API"
        )
        return Response(self.get_serializer(referral).data)

    def create(self, request, *args, **kwargs):
        user = request.user
        serializer = ReferralCreateSerializer(data=request.data, with_provider=user.is_national_admin)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        provider = values.pop("provider") if user.is_national_admin else user.organisation
        try:
            referral = referral_create(actor=user, provider=provider, **values)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self._respond_with(referral, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        referral = self.get_object()
        serializer = ReferralUpdateSerializer(referral, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            referral_update(actor=request.user, referral=referral, **serializer.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self._respond_with(referral)

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Move a referral to its next stage, or close it",
        request=ReferralTransitionSerializer,
        responses=ReferralDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        referral = self.get_object()
        serializer = ReferralTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            referral_transition(actor=request.user, referral=referral, **serializer.validated_data)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return self._respond_with(referral)

    @extend_schema(
        summary="Record or update many referrals at once, with their stages",
        request=ReferralImportSerializer,
        responses={200: ReferralImportResultSerializer, 400: ReferralImportProblemsSerializer},
        description=(
            f"Up to {MAX_API_ROWS:,} rows of the referral import template (see the column guide on the web), "
            "checked and saved as an uploaded file of them is: a row whose reference the provider has used "
            "updates that referral, and a row at a later stage moves the referral on, through each stage in "
            "between, with a timeline event and an audit entry for each move; a row that would move a "
            "referral back is a problem. Every problem is given by row and column, and nothing is saved "
            "unless every row is right. Provider staff import for their own organisation; national "
            "administrators must give `provider`."
        ),
    )
    @action(detail=False, methods=["post"], url_path="import")
    def bulk_import(self, request, *args, **kwargs):
        user = request.user
        try:
            serializer = ReferralImportSerializer(data=request.data, with_provider=user.is_national_admin)
        except ParseError as error:
            return _import_problems([RowError(None, "", str(error.detail))])
        if not serializer.is_valid():
            return _import_problems(_request_problems(serializer.errors))
        provider = serializer.validated_data["provider"] if user.is_national_admin else user.organisation
        try:
            result = referral_rows_import(actor=user, provider=provider, rows=request.data["rows"])
        except ImportRejected as rejected:
            return _import_problems(rejected.errors)
        return Response(
            {"created": result.created, "updated": result.updated, "unchanged": result.unchanged, "moved": result.moved}
        )


def _import_problems(errors: list[RowError]) -> Response:
    return Response(
        {"errors": [{"row": error.row, "column": error.column, "message": error.message} for error in errors]},
        status.HTTP_400_BAD_REQUEST,
    )


def _request_problems(errors: dict) -> list[RowError]:
    """The serializer's errors as the import's: a row's by its position in `rows`, from 1."""
    problems = []
    for field, messages in errors.items():
        if field == "rows" and isinstance(messages, dict):  # {index in rows: that row's errors}
            for index, row in sorted(messages.items()):
                # A row that is no object at all (null, say) has messages of its own, not by column.
                by_column = row.items() if isinstance(row, dict) else [("", row)]
                for column, column_messages in by_column:
                    column = "" if column == api_settings.NON_FIELD_ERRORS_KEY else column
                    problems += [RowError(index + 1, column, str(message)) for message in column_messages]
            continue
        if isinstance(messages, dict):
            messages = [message for nested in messages.values() for message in nested]
        column = "" if field == api_settings.NON_FIELD_ERRORS_KEY else field
        problems += [RowError(None, column, str(message)) for message in messages]
    return problems


@extend_schema_view(
    list=extend_schema(summary="List referring teams, to find their ids"),
    retrieve=extend_schema(summary="One referring team"),
    create=extend_schema(
        summary="Add a referring team",
        request=ReferringTeamWriteSerializer,
        responses={201: ReferringTeamSerializer},
        description="PCC office staff add teams to the areas their office serves; national administrators to "
        "any area. The name must be new to the area, whatever its capital letters.",
    ),
    update=extend_schema(
        summary="Change a referring team",
        request=ReferringTeamWriteSerializer,
        responses=ReferringTeamSerializer,
        description="Every value, as when adding the team (a `staff_count` left out becomes null). A team "
        "with referrals stays in its area. PCC office staff change only their areas' teams: another "
        "area's team is a 404.",
    ),
    partial_update=extend_schema(
        summary="Change some of a referring team's values",
        request=ReferringTeamWriteSerializer,
        responses=ReferringTeamSerializer,
    ),
)
class ReferringTeamViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Referring teams are reference data (team names, not case data), so every role with
    referral access may list and read all of them. Each area's PCC office keeps its own teams
    (national administrators any area's): they add and change them here, through the same
    services as the web pages."""

    permission_classes = [IsAuthenticated, HasReferralAccess, CanChangeReferringTeams]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ReferringTeamFilter
    serializer_class = ReferringTeamSerializer
    queryset = ReferringTeam.objects.select_related("area").order_by("area__name", "name", "id")

    def get_queryset(self):
        teams = super().get_queryset()
        if self.action in ("update", "partial_update"):
            teams = teams & ReferringTeam.objects.editable_by(self.request.user)
        return teams

    def _check_area(self, values: dict) -> None:
        """PCC office staff name only areas their office serves (as the web form offers them)."""
        area = values.get("area")
        if area is not None and not team_areas_editable_by(self.request.user).filter(pk=area.pk).exists():
            raise ValidationError({"area": ["Select one of your police areas"]})

    def create(self, request, *args, **kwargs):
        serializer = ReferringTeamWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        self._check_area(values)
        try:
            team = referring_team_create(actor=request.user, **values)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(ReferringTeamSerializer(team).data, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        team = self.get_object()
        serializer = ReferringTeamWriteSerializer(team, data=request.data, partial=kwargs.pop("partial", False))
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        self._check_area(values)
        try:
            referring_team_update(actor=request.user, team=team, **values)
        except DjangoValidationError as error:
            raise service_errors(error) from error
        return Response(ReferringTeamSerializer(team).data)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, for any signed-in person or token (provider systems fetch it with their
    token); anonymous requests get 401 like the rest of the API."""

    permission_classes = [IsAuthenticated]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI for signed-in people (anonymous visitors are sent to sign in by the project's
    LoginRequiredMiddleware), served from drf-spectacular-sidecar's static files, never a CDN.

    The split view serves its start-up script from this same URL (`?script`) instead of inline,
    so it runs under our `script-src 'self'` with no allowance. drf-spectacular's template also
    has a three-line inline <style> (box-sizing and page background); CSP blocks it and the page
    still works, so we grant no `style-src` allowance for it either."""

    permission_classes = [IsAuthenticated]
    url_name = "api:schema"

    @classmethod
    def as_view(cls, **initkwargs):
        # DRF exempts its views from LoginRequiredMiddleware; this one is a page for people, so
        # anonymous visitors are sent to sign in as on every other page, not shown a bare 401.
        view = super().as_view(**initkwargs)
        view.login_required = True
        return view


class ApiNotFoundView(APIView):
    """Any other address under /api/ (`/api/v1/referrals/0.5/`, a mistyped path): a JSON 404 like
    the API's own, after the same authentication, rather than the site's HTML page."""

    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()
