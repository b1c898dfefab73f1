"""Sorting and pagination shared by every list page, so they behave the same everywhere."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import F
from django.db.models.constants import LOOKUP_SEP

PAGE_SIZE = 50


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    url: str
    direction: str | None  # "ascending", "descending" or None when the list is not sorted by it


def sort_queryset(request, queryset, *, columns: dict[str, tuple[str, str]], default: str):
    """Order by the `sort` query parameter ("name" or "-name"); unknown keys fall back to the
    default. `columns` maps a key to (label, ORM field). Returns the ordered queryset and
    the column headers with links that sort by them."""
    requested = request.GET.get("sort", default)
    key = requested.lstrip("-")
    if key not in columns:
        requested, key = default, default.lstrip("-")
    descending = requested.startswith("-")
    field = columns[key][1]
    order = f"-{field}" if descending else field
    if _nullable(queryset.model, field):
        # Empty values last either way, on every database (PostgreSQL puts them first when
        # descending, SQLite first when ascending). Only for columns that can be empty: asking
        # for an order that differs from an index's would stop the index serving it.
        order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    # Ties break in the same direction, so that one index scanned either way serves the order.
    queryset = queryset.order_by(order, "-pk" if descending else "pk")
    headers = []
    for column_key, (label, _field) in columns.items():
        params = request.GET.copy()
        params.pop("page", None)
        is_current = column_key == key
        params["sort"] = f"-{column_key}" if is_current and not descending else column_key
        direction = ("descending" if descending else "ascending") if is_current else None
        headers.append(SortColumn(column_key, label, f"?{params.urlencode()}", direction))
    return queryset, headers


def paginate(request, queryset, *, per_page: int = PAGE_SIZE):
    """The requested page (out-of-range numbers give the last page) and the links around it."""
    paginator = Paginator(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    params = request.GET.copy()

    def link(number):
        params["page"] = number
        return f"?{params.urlencode()}"

    numbers = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    links = [
        {
            "number": number,
            "url": link(number) if number != paginator.ELLIPSIS else None,
            "current": number == page.number,
        }
        for number in numbers
    ]
    return page, {
        "links": links if paginator.num_pages > 1 else [],
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
    }


def _nullable(model, path: str) -> bool:
    """Whether the field at `path` ("area__name") can be empty; False for an annotation."""
    field = None
    for part in path.split(LOOKUP_SEP):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        model = field.related_model or model
    return bool(field is not None and field.null)
