"""Search filters shared by the approver lists and the jobs that export or print them.

Each takes an already scoped queryset and the submitted parameters (a
QueryDict or the dict a job stored) and narrows it; unusable values are
ignored rather than failing.
"""

from datetime import date

from .models import CertificateStatus, DrugPermitStatus, NoticeKind

FIELDS = {
    "applications": ("number", "status", "enterprise", "date_from", "date_to"),
    "certificates": ("number", "application", "enterprise", "status", "date_from", "date_to"),
    "notices": ("number", "kind", "application", "date_from", "date_to"),
    "write_offs": ("certificate", "declaration", "date_from", "date_to", "flagged"),
}


def _date(params, key):
    try:
        return date.fromisoformat((params.get(key) or "").strip())
    except ValueError:
        return None


def _text(params, key):
    return (params.get(key) or "").strip()[:100]


def clean(kind: str, params) -> dict:
    """The filter values worth keeping (for a job, or to echo in the form)."""
    return {key: _text(params, key) for key in FIELDS[kind] if _text(params, key)}


def applications(qs, params, *, date_field="submitted_at__date"):
    if number := _text(params, "number"):
        qs = qs.filter(number__icontains=number)
    if (status := _text(params, "status")) in DrugPermitStatus.values:
        qs = qs.filter(status=status)
    if enterprise := _text(params, "enterprise"):
        qs = qs.filter(enterprise__name_zh__icontains=enterprise)
    if start := _date(params, "date_from"):
        qs = qs.filter(**{f"{date_field}__gte": start})
    if end := _date(params, "date_to"):
        qs = qs.filter(**{f"{date_field}__lte": end})
    return qs


def certificates(qs, params):
    if number := _text(params, "number"):
        qs = qs.filter(number__icontains=number)
    if application := _text(params, "application"):
        qs = qs.filter(application__number__icontains=application)
    if enterprise := _text(params, "enterprise"):
        qs = qs.filter(holder_name__icontains=enterprise)
    if (status := _text(params, "status")) in CertificateStatus.values:
        qs = qs.filter(status=status)
    if start := _date(params, "date_from"):
        qs = qs.filter(issue_date__gte=start)
    if end := _date(params, "date_to"):
        qs = qs.filter(issue_date__lte=end)
    return qs


def notices(qs, params):
    if number := _text(params, "number"):
        qs = qs.filter(number__icontains=number)
    if (kind := _text(params, "kind")) in NoticeKind.values:
        qs = qs.filter(kind=kind)
    if application := _text(params, "application"):
        qs = qs.filter(application__number__icontains=application)
    if start := _date(params, "date_from"):
        qs = qs.filter(issued_on__gte=start)
    if end := _date(params, "date_to"):
        qs = qs.filter(issued_on__lte=end)
    return qs
