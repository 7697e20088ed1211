"""What the searchable picker can search, and how typed text is matched."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, Q, QuerySet, Value, When

from . import models as m


@dataclass(frozen=True)
class PickerKind:
    model: type[m.ReferenceItem]
    # Named filters a form may ask for in the URL (?filter=designated).
    filters: dict = field(default_factory=dict)
    select_related: tuple = ()
    # Filters taking a value from the URL (?within=110000): name -> value -> Q.
    params: dict[str, Callable[[str], Q]] = field(default_factory=dict)

    def option(self, obj) -> dict:
        option = {"id": obj.pk, "code": obj.code, "label": str(obj)}
        if isinstance(obj, m.Port):
            option["customs_district"] = {
                "id": obj.customs_district_id,
                "label": str(obj.customs_district),
            }
        return option


def _within_region(code: str) -> Q:
    """The region with this code and every region under it; nothing for an unknown code."""
    region = m.Region.objects.filter(code=code).first()
    if region is None:
        return Q(pk__in=[])
    return region.scope_q("code")


PICKER_KINDS: dict[str, PickerKind] = {
    "authorities": PickerKind(
        m.Authority,
        # Only authorities that saved their settings (初始值) accept filings.
        filters={
            module.value.lower(): Q(approval_settings__system=module.value) for module in m.Module
        },
    ),
    "customs-districts": PickerKind(m.CustomsDistrict),
    "ports": PickerKind(
        m.Port,
        filters={"designated": Q(is_designated_drug_port=True)},
        select_related=("customs_district",),
    ),
    "hs-codes": PickerKind(m.HSCode),
    "dosage-forms": PickerKind(m.DosageForm),
    "carriers": PickerKind(m.Carrier),
    "countries": PickerKind(m.Country),
    "currencies": PickerKind(m.Currency),
    "trade-modes": PickerKind(m.TradeMode),
    "regions": PickerKind(m.Region, params={"within": _within_region}),
    "purposes": PickerKind(
        m.Purpose,
        filters={module.value.lower(): Q(module=module.value) for module in m.Module},
    ),
}

MAX_RESULTS = 20


def search_reference(kind: PickerKind, query: str, filter_names=(), params=None) -> QuerySet:
    """Live items matching typed digits (code prefix first), letters or Chinese."""
    qs = kind.model.objects.live()
    if kind.select_related:
        qs = qs.select_related(*kind.select_related)
    for name in filter_names:
        if name in kind.filters:
            qs = qs.filter(kind.filters[name])
    for name, value in (params or {}).items():
        if name in kind.params:
            qs = qs.filter(kind.params[name](value))
    terms = query.strip().lower().split()
    for term in terms:
        qs = qs.filter(Q(code__istartswith=term) | _text_match(term))
    if terms:
        # An exact code first, then codes starting with the input, then names.
        qs = qs.annotate(
            rank=Case(
                When(code__iexact=terms[0], then=Value(0)),
                When(code__istartswith=terms[0], then=Value(1)),
                default=Value(2),
            )
        ).order_by("rank", "code")
    else:
        qs = qs.order_by("code")
    return qs[:MAX_RESULTS]


def _text_match(term: str) -> Q:
    # One or two Latin letters ("bj", "us") match the start of a word or the
    # pinyin initials; longer input and Chinese match anywhere.
    if term.isascii() and len(term) <= 2:
        return Q(search_text__startswith=term) | Q(search_text__contains=" " + term)
    return Q(search_text__contains=term)
