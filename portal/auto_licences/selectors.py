"""What the licence's statistics read: always through the filer's own filings."""

from django.db.models import Count, Q, Sum

from filings.selectors import filings_for_filer
from portal.reference.models import Module

from .models import AutoLicenceLine, AutoLicenceStatus

PASSED_SECOND_REVIEW = (AutoLicenceStatus.ISSUED, AutoLicenceStatus.VOID)


def monthly_statistics(*, user, year: int, month: int, hs_code: str = "") -> list[dict]:
    """Per commodity: quantity, US dollar amount and count of applications that passed
    second review, in ``month`` and from January to ``month`` of ``year`` (by issue date)."""
    filings = filings_for_filer(user, Module.AUTO_IMPORT_LICENCE).filter(
        status__in=PASSED_SECOND_REVIEW,
        certificate__issue_date__year=year,
        certificate__issue_date__month__lte=month,
    )
    lines = AutoLicenceLine.objects.filter(application__in=filings)
    if hs_code:
        lines = lines.filter(hs_code__code__startswith=hs_code)
    this_month = Q(application__certificate__issue_date__month=month)
    return list(
        lines.values("hs_code__code", "hs_code__name_zh", "unit")
        .annotate(
            month_quantity=Sum("quantity", filter=this_month, default=0),
            month_usd=Sum("total_usd", filter=this_month, default=0),
            month_count=Count("application", filter=this_month, distinct=True),
            year_quantity=Sum("quantity", default=0),
            year_usd=Sum("total_usd", default=0),
            year_count=Count("application", distinct=True),
        )
        .order_by("hs_code__code", "unit")
    )
