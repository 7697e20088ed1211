"""Keyset (cursor) pagination for lists that grow without bound.

A page is "the next ``per_page`` rows after this row" in the list's order,
found through the index that matches the list's filter and sort, so the
millionth row costs what the first does; an OFFSET would scan everything
before it.  The order must end in a unique key (``pk``) and run one way.
Counting stops at ``count_limit`` rows: past it, the list says "more than N"
instead of scanning every match for an exact COUNT(*).
"""

import base64
import json
from dataclasses import dataclass, field

from django.db.models import F
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.urls import reverse
from django.utils.translation import gettext as _


class InvalidCursor(ValueError):
    """The cursor in the address is not one this list gave out."""


@dataclass
class KeysetPage:
    items: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    count: int = 0
    count_is_exact: bool = True
    params: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def __bool__(self):
        return bool(self.items)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def count_label(self) -> str:
        if self.count_is_exact:
            return f"{self.count:,}"
        return _("more than %(n)s") % {"n": f"{self.count:,}"}


def _encode(values) -> str:
    raw = json.dumps([None if v is None else str(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidCursor(cursor) from error
    if not isinstance(values, list):
        raise InvalidCursor(cursor)
    return values


class KeysetPaginator:
    def __init__(self, queryset, ordering, *, per_page: int = 50, count_limit: int = 1000):
        self.queryset = queryset
        self.ordering = tuple(ordering)
        self.per_page = per_page
        self.count_limit = count_limit
        directions = {key.startswith("-") for key in self.ordering}
        if len(directions) != 1:
            raise ValueError("keyset ordering must run one way")
        self.descending = directions.pop()
        self.names = [key.lstrip("-") for key in self.ordering]
        model = queryset.model
        self.fields = [
            model._meta.pk if name == "pk" else model._meta.get_field(name) for name in self.names
        ]

    def _values(self, cursor: str) -> list:
        raw = _decode(cursor)
        if len(raw) != len(self.fields) or None in raw:
            raise InvalidCursor(cursor)
        try:
            return [f.to_python(value) for f, value in zip(self.fields, raw, strict=True)]
        except Exception as error:  # any unparsable value: not our cursor
            raise InvalidCursor(cursor) from error

    def _cursor(self, obj) -> str:
        return _encode(getattr(obj, f.attname) for f in self.fields)

    def _after(self, qs, values, *, forward: bool):
        lhs = Tuple(*(F(name) for name in self.names))
        backwards = self.descending == forward
        later = TupleLessThan if backwards else TupleGreaterThan
        qs = qs.filter(later(lhs, tuple(values)))
        if len(self.names) > 1:
            # The same bound on the first column alone, which the row comparison implies:
            # when the last column is a child table's key (multi-table inheritance), the row
            # comparison spans two tables and is checked only after the join, so without
            # this a deep page reads every index entry before it.
            qs = qs.filter(**{f"{self.names[0]}__{'lte' if backwards else 'gte'}": values[0]})
        return qs

    def page(self, *, after: str = "", before: str = "") -> KeysetPage:
        """The page after ``after`` (or before ``before``; the first page by default)."""
        qs = self.queryset
        if before:
            values = self._values(before)
            reverse = [
                ("" if key.startswith("-") else "-") + key.lstrip("-") for key in self.ordering
            ]
            rows = list(
                self._after(qs, values, forward=False).order_by(*reverse)[: self.per_page + 1]
            )
            has_previous = len(rows) > self.per_page
            items = rows[: self.per_page][::-1]
            has_next = True
        else:
            if after:
                qs = self._after(qs, self._values(after), forward=True)
            rows = list(qs.order_by(*self.ordering)[: self.per_page + 1])
            has_next = len(rows) > self.per_page
            items = rows[: self.per_page]
            has_previous = bool(after)
        counted = self.queryset.order_by()[: self.count_limit + 1].count()
        return KeysetPage(
            items=items,
            has_next=has_next,
            has_previous=has_previous,
            next_cursor=self._cursor(items[-1]) if items and has_next else "",
            previous_cursor=self._cursor(items[0]) if items and has_previous else "",
            count=min(counted, self.count_limit),
            count_is_exact=counted <= self.count_limit,
        )


def url_pattern(name: str, arity: int = 1):
    """``reverse`` once for a whole list: a function filling in each row's arguments.

    Reversing a URL per row costs more than the row's SQL on a page of fifty.
    """
    # Digits fit every path converter (str, slug, int); nothing in a route looks like them.
    markers = [str(9_876_543_210 + i) for i in range(arity)]
    template = reverse(name, args=markers)

    def fill(*values) -> str:
        url = template
        for marker, value in zip(markers, values, strict=True):
            url = url.replace(marker, str(value))
        return url

    return fill


def paginate(
    request, queryset, ordering, *, per_page: int = 50, count_limit: int = 1000, prefix: str = ""
):
    """The page the request asks for (``?after=`` / ``?before=``) and a problem, if any.

    A cursor that is not ours is a message and the first page, never a 500.  Two
    lists on one page page separately with a ``prefix`` (``?records_after=``).
    """
    paginator = KeysetPaginator(queryset, ordering, per_page=per_page, count_limit=count_limit)
    after = request.GET.get(f"{prefix}after", "")
    before = request.GET.get(f"{prefix}before", "")
    try:
        page = paginator.page(after=after, before=before)
        problem = ""
    except InvalidCursor:
        page = paginator.page()
        problem = _("That page address is not valid any more; showing the first page.")
    query = request.GET.copy()
    query.pop(f"{prefix}after", None)
    query.pop(f"{prefix}before", None)
    page.params = {"query": query.urlencode(), "prefix": prefix}
    return page, problem
