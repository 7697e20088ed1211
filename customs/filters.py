"""The filters of the write-off lists (django-filter); querysets come in already scoped."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.filters import PortalFilterSet, date_from_filter, date_to_filter

from .models import OutboundMessage, WriteOff


class WriteOffFilter(PortalFilterSet):
    certificate = django_filters.CharFilter(
        field_name="certificate__number", lookup_expr="icontains", label=_("Certificate number")
    )
    declaration = django_filters.CharFilter(
        field_name="declaration_number", lookup_expr="icontains", label=_("Declaration number")
    )
    date_from = date_from_filter("declaration_date")
    date_to = date_to_filter("declaration_date")
    flagged = django_filters.ChoiceFilter(
        empty_label=_("All"),
        field_name="exceeds_remainder",
        choices=[("1", _("Only flagged"))],
        method="only_flagged",
        label=_("Flagged"),
    )

    class Meta(PortalFilterSet.Meta):
        model = WriteOff
        fields = ["certificate", "declaration", "date_from", "date_to", "flagged"]

    def only_flagged(self, queryset, name, value):
        if value != "1":
            return queryset
        return queryset.filter(
            Q(exceeds_remainder=True) | Q(exceeds_uses=True) | Q(after_validity=True)
        )


class DeadLetterFilter(PortalFilterSet):
    certificate = django_filters.CharFilter(
        field_name="certificate__number", lookup_expr="icontains", label=_("Certificate number")
    )

    class Meta(PortalFilterSet.Meta):
        model = OutboundMessage
        fields = ["certificate"]
