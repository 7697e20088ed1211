"""The filters of the document lists (django-filter); querysets come in already scoped."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.filters import PortalFilterSet, date_from_filter, date_to_filter

from .models import Certificate, CertificateStatus, CustomsStatus, Notice, NoticeKind


class NoticeFilter(PortalFilterSet):
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Number"))
    kind = django_filters.ChoiceFilter(
        empty_label=_("All"), choices=NoticeKind.choices, label=_("Notice type")
    )
    application = django_filters.CharFilter(
        field_name="filing__number", lookup_expr="icontains", label=_("Application number")
    )
    date_from = date_from_filter("issued_on")
    date_to = date_to_filter("issued_on")

    class Meta(PortalFilterSet.Meta):
        model = Notice
        fields = ["number", "kind", "application", "date_from", "date_to"]


class CertificateFilter(PortalFilterSet):
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Certificate number"))
    application = django_filters.CharFilter(
        field_name="filing__number", lookup_expr="icontains", label=_("Application number")
    )
    enterprise = django_filters.CharFilter(
        field_name="holder_name", lookup_expr="icontains", label=_("Enterprise")
    )
    status = django_filters.ChoiceFilter(
        empty_label=_("All"), choices=CertificateStatus.choices, label=_("Certificate status")
    )
    date_from = date_from_filter("issue_date")
    date_to = date_to_filter("issue_date")

    class Meta(PortalFilterSet.Meta):
        model = Certificate
        fields = ["number", "application", "enterprise", "status", "date_from", "date_to"]


class CustomsStatusFilter(PortalFilterSet):
    """海关状态查询 (seed 004): the enterprise's certificates in force and what customs did."""

    year = django_filters.NumberFilter(field_name="issue_date__year", label=_("Year"))
    application = django_filters.CharFilter(
        field_name="filing__number", lookup_expr="icontains", label=_("Application number")
    )
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Certificate number"))
    date_from = date_from_filter("filing__submitted_at", _("Submitted from"))
    date_to = date_to_filter("filing__submitted_at")
    customs = django_filters.ChoiceFilter(
        field_name="customs_status",
        empty_label=_("All"),
        choices=CustomsStatus.choices,
        label=_("Customs"),
    )

    class Meta(PortalFilterSet.Meta):
        model = Certificate
        fields = ["year", "application", "number", "date_from", "date_to", "customs"]


class CertificateHistoryFilter(PortalFilterSet):
    """历史数据查询 (seed 004): every certificate the enterprise ever held, by number and time."""

    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Certificate number"))
    date_from = date_from_filter("issue_date", _("Issued from"))
    date_to = date_to_filter("issue_date")

    class Meta(PortalFilterSet.Meta):
        model = Certificate
        fields = ["number", "date_from", "date_to"]
