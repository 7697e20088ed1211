"""The filters of every filing list (django-filter), built from a system's declaration.

``filer``: the enterprise's own list (created dates, authority); ``authority``:
an approver's or administrator's query and to-do lists (submitted dates,
enterprise).  A system adds its own filters (e.g. import or export) with
``list_filters()``.
"""

from functools import cache

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filters import PortalFilterSet, date_from_filter, date_to_filter
from portal.reference.models import Authority

from . import registry


@cache
def filing_filterset(system_key: str, scope: str) -> type[PortalFilterSet]:
    system = registry.get(system_key)
    attrs = {
        "number": django_filters.CharFilter(lookup_expr="icontains", label=_("Application number")),
        "status": django_filters.ChoiceFilter(
            empty_label=_("All"),
            choices=system.statuses.choices if system.statuses else (),
            label=_("Status"),
        ),
    }
    if scope == "filer" and system.authority_kinds:
        attrs["authority"] = django_filters.ModelChoiceFilter(
            empty_label=_("All"),
            queryset=Authority.objects.filter(
                kind__in=system.authority_kinds, approval_settings__system=system_key
            ).order_by("code"),
            to_field_name="code",
            label=_("Approving authority"),
        )
    else:
        attrs["enterprise"] = django_filters.CharFilter(
            field_name="enterprise__name_zh", lookup_expr="icontains", label=_("Enterprise")
        )
    attrs.update(system.list_filters())
    dates = system.filer_date_field if scope == "filer" else "submitted_at"
    attrs["date_from"] = date_from_filter(
        dates, _("Created from") if dates == "created_at" else _("Submitted from")
    )
    attrs["date_to"] = date_to_filter(dates)
    meta = type("Meta", (PortalFilterSet.Meta,), {"model": system.model, "fields": list(attrs)})
    attrs["Meta"] = meta
    return type(f"{system.model.__name__}{scope.title()}Filter", (PortalFilterSet,), attrs)


@cache
def regulator_filterset(system_key: str):
    """The regulators' archive query: enterprise, USCC, number, the system's own filters
    and the dates of the version in force."""
    system = registry.get(system_key)
    attrs = {
        "enterprise": django_filters.CharFilter(
            field_name="enterprise__name_zh", lookup_expr="icontains", label=_("Enterprise")
        ),
        "uscc": django_filters.CharFilter(
            field_name="enterprise__uscc",
            lookup_expr="iexact",
            label=_("Unified social credit code"),
        ),
        "number": django_filters.CharFilter(lookup_expr="iexact", label=_("Record number")),
        **system.regulator_filters(),
        "date_from": date_from_filter("last_published_at", _("Submitted from")),
        "date_to": date_to_filter("last_published_at"),
    }
    meta = type("Meta", (PortalFilterSet.Meta,), {"model": system.model, "fields": list(attrs)})
    attrs["Meta"] = meta
    return type(f"{system.model.__name__}RegulatorFilter", (PortalFilterSet,), attrs)
