"""JSON API (django-ninja). Session-authenticated; every object is scoped like the pages."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from . import audit
from .access import access_supervisee, require_role
from .models import Role, Supervisee
from .models.people import SupervisionLevel
from .privacy import person_view

api = NinjaAPI(
    title="矫正帮教平台 API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
)

PEOPLE_ROLES = (Role.CASEWORKER, Role.OFFICIAL, Role.SOCIAL_WORKER)


class SuperviseeOut(Schema):
    id: int
    name: str
    masked: bool
    is_minor: bool
    gender: str
    age: int
    id_number: str
    township: str
    judicial_office: str
    sentence_type: str
    supervision_level: str
    offence: str
    supervision_start: date
    planned_end: date
    status: str


def _out(request: HttpRequest, supervisee: Supervisee) -> dict:
    view = person_view(request.user, supervisee, in_scope=True)
    return {
        **view.as_dict(),
        "judicial_office": supervisee.judicial_office.name,
        "sentence_type": supervisee.sentence_type,
        "supervision_level": supervisee.supervision_level,
        "supervision_start": supervisee.supervision_start,
        "planned_end": supervisee.planned_end,
        "status": supervisee.status,
    }


class BoundedPages(PageNumberPagination):
    """Page numbers with an upper bound, so that no offset overflows the database's integers."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)


@api.get("/supervisees", response=list[SuperviseeOut], tags=["people"])
@paginate(BoundedPages, page_size=50)
def list_supervisees(
    request, level: SupervisionLevel | None = None, status: Supervisee.Status | None = None
):
    """Supervisees in the caller's scope, masked as the caller must see them; any other filter
    value than the listed ones is refused (422)."""
    require_role(request.user, *PEOPLE_ROLES)
    queryset = Supervisee.objects.in_scope_of(request.user).select_related(
        "judicial_office__parent", "home_township"
    )
    if level:
        queryset = queryset.filter(supervision_level=level)
    if status:
        queryset = queryset.filter(status=status)
    return _AuditedList(request, queryset)


class _AuditedList:
    """Lets the paginator slice the queryset, then audits and renders only that page."""

    def __init__(self, request, queryset):
        self.request, self.queryset = request, queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        page = list(self.queryset[key])
        audit.record_many(self.request, audit.Action.LIST, page, detail={"via": "api"})
        return [_out(self.request, s) for s in page]


@api.get("/supervisees/{supervisee_id}", response=SuperviseeOut, tags=["people"])
def get_supervisee(request, supervisee_id: int):
    require_role(request.user, *PEOPLE_ROLES)
    supervisee = access_supervisee(request.user, supervisee_id)
    audit.record(request, audit.Action.VIEW, supervisee, detail={"via": "api"})
    return _out(request, supervisee)


def _add_routers() -> None:
    from courses.api import router as courses_router
    from resources.api import router as resources_router
    from search.endpoints import router as search_router

    api.add_router("/", courses_router)
    api.add_router("/", search_router)
    api.add_router("/", resources_router)


_add_routers()
