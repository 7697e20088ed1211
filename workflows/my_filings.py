"""My filings (我的申报): one list of the enterprise user's filings across every system
the user may use (an owner: all of them; an agent: the modules granted), with what
each one waits for and a search by any of its numbers.

It lives in the mechanism because it reads every system's declaration; the rows are
plain ``Filing`` rows (one indexed table), paged by keyset over
``filing_enterprise_all``.  Each row carries ``data-number`` and a ``.status`` cell, so
the live status push (notifications/live.js) changes it without a reload.
"""

from functools import cache

import django_filters
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.models import Certificate
from filings import registry
from filings.models import Filing
from filings.selectors import any_filings_for_filer
from portal.accounts.views import enterprise_required
from portal.filters import PortalFilterSet, date_from_filter, date_to_filter
from portal.pagination import paginate, url_pattern
from portal.reference.models import Authority

ORDERING = ("-created_at", "-id")
PER_PAGE = 20


@cache
def _resubmission_states(system_key: str) -> frozenset:
    """The states a filer leaves by submitting again (补正: supplement requested)."""
    system = registry.get(system_key)
    return frozenset(
        t.source
        for t in system.transitions()
        if t.custom.get("actor") == "filer" and t.custom.get("resubmission")
    )


def next_step(filing) -> str:
    """What happens next to ``filing``, from its system's declaration ("" when nothing)."""
    system = registry.get(filing.system)
    status = filing.status
    if status in system.editable_states:
        if status in _resubmission_states(system.key):
            return _("Replace the marked attachments and resubmit")
        return _("Complete and submit")
    stage = system.stage_for_state(status)
    if stage is not None:
        authority = filing.authority
        if authority is None:
            return _("Waiting for %(stage)s") % {"stage": stage.label}
        return _("Waiting for %(stage)s at %(authority)s") % {
            "stage": stage.label,
            "authority": authority.localized_name,
        }
    if system.acting_levels(status):
        return _("With the authority")
    return ""


def systems_for(membership) -> list:
    """The registered systems the member may use, in registry order."""
    granted = set(membership.granted_modules())
    return [s for s in registry.all_systems() if s.key in granted]


class MyFilingsFilter(PortalFilterSet):
    """Number (exact, any of a filing's numbers), system, status, authority, created dates."""

    number = django_filters.CharFilter(
        method="filter_number",
        label=gettext_lazy("Number"),
        help_text=gettext_lazy(
            "Application number, certificate number or the system's own number (exact)."
        ),
    )
    system = django_filters.ChoiceFilter(
        empty_label=gettext_lazy("All"), label=gettext_lazy("System")
    )
    status = django_filters.ChoiceFilter(
        empty_label=gettext_lazy("All"), label=gettext_lazy("Status")
    )
    authority = django_filters.ModelChoiceFilter(
        queryset=Authority.objects.none(),
        empty_label=gettext_lazy("All"),
        to_field_name="code",
        label=gettext_lazy("Approving authority"),
    )
    date_from = date_from_filter("created_at", gettext_lazy("Created from"))
    date_to = date_to_filter("created_at")

    class Meta(PortalFilterSet.Meta):
        model = Filing
        fields = ["number", "system", "status", "authority", "date_from", "date_to"]

    def __init__(self, data=None, queryset=None, *, systems, **kwargs):
        self.systems = systems
        super().__init__(data, queryset, **kwargs)
        self.filters["system"].extra["choices"] = [(s.key, s.label) for s in systems]
        statuses = {}
        for system in systems:
            for value, label in system.statuses.choices if system.statuses else ():
                statuses.setdefault(value, label)
        self.filters["status"].extra["choices"] = list(statuses.items())
        kinds = {kind for s in systems for kind in s.authority_kinds}
        self.filters["authority"].queryset = (
            Authority.objects.filter(
                kind__in=kinds, approval_settings__system__in=[s.key for s in systems]
            )
            .distinct()
            .order_by("code")
        )

    def filter_number(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        keys = [s.key for s in self.systems]
        # Each number is looked up through its own index; the matches are a handful of ids.
        found = [
            Filing.objects.filter(number=value).values_list("pk"),
            Certificate.objects.filter(
                system__in=keys, number=value, filing__isnull=False
            ).values_list("filing_id"),
        ]
        for system in self.systems:
            for field in system.search_numbers:
                found.append(system.model.objects.filter(**{field: value}).values_list("pk"))
        first, *rest = (q.order_by() for q in found)
        return queryset.filter(pk__in=[pk for (pk,) in first.union(*rest)])


def _minute(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rows_of(filings) -> list[dict]:
    """What the page shows of each filing (one URL pattern per system, reversed once)."""
    details = {}
    rows = []
    for filing in filings:
        system = registry.get(filing.system)
        if system.key not in details:
            details[system.key] = url_pattern(f"{system.url_namespace}:detail")
        certificate = getattr(filing, "certificate", None)
        rows.append(
            {
                "filing": filing,
                "url": details[system.key](filing.number),
                "system": system.label,
                "status": system.status_label(filing.status),
                "authority": filing.authority.localized_name if filing.authority else "—",
                "created": _minute(filing.created_at),
                "submitted": _minute(filing.submitted_at),
                "certificate": certificate.number if certificate else "",
                "next_step": next_step(filing),
            }
        )
    return rows


@enterprise_required()
def my_filings(request):
    systems = systems_for(request.membership)
    qs = any_filings_for_filer(request.user).select_related("authority", "certificate")
    filterset = MyFilingsFilter(request.GET or None, queryset=qs, systems=systems)
    page, problem = paginate(request, filterset.qs, ORDERING, per_page=PER_PAGE)
    return render(
        request,
        "workflows/enterprise/my_filings.html",
        {
            "page": page,
            "rows": rows_of(page),
            "filterset": filterset,
            "problems": filterset.problems + ([problem] if problem else []),
            "systems": systems,
        },
    )
