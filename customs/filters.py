"""Search filters of the customs lists (the querysets are already scoped)."""

from documents.filters import _date, _text


def write_offs(qs, params):
    if number := _text(params, "certificate"):
        qs = qs.filter(certificate__number__icontains=number)
    if declaration := _text(params, "declaration"):
        qs = qs.filter(declaration_number__icontains=declaration)
    if start := _date(params, "date_from"):
        qs = qs.filter(declaration_date__gte=start)
    if end := _date(params, "date_to"):
        qs = qs.filter(declaration_date__lte=end)
    if _text(params, "flagged") == "1":
        qs = qs.filter(exceeds_remainder=True)
    return qs
