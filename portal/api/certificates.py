"""Certificates across applications, write-offs and statistics: the enterprise's
queries of seeds 001 and 004 (海关状态查询, 历史数据查询, 核销, 月度统计) and the
authority's certificate and write-off lists, generated for every system that issues a
certificate (and sends it to customs, for the write-offs).

Every read goes through the selectors the pages use (``documents.selectors``,
``customs.selectors``) and the pages' own filter sets; a certificate the user may not
see is a 404.
"""

import datetime
from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Schema
from ninja.pagination import paginate

from customs import selectors as customs_selectors
from customs.filters import WriteOffFilter
from customs.services import ledger
from documents import selectors as documents
from documents import services as document_services
from documents.filters import CertificateFilter, CertificateHistoryFilter, CustomsStatusFilter
from documents.models import CertificateStatus

from .errors import ApiError, form_error
from .schemas import Label


class CertificateLineOut(Schema):
    line_number: int
    hs_code: str
    name: str
    quantity: Decimal
    unit: str
    details: dict
    written_off: Decimal | None = None
    remainder: Decimal | None = Field(None, description="Negative when customs wrote off more.")
    open_conflicts: int | None = None


class CertificateSummary(Schema):
    number: str
    application: str | None = None
    source: str
    source_label: Label
    status: str
    status_label: Label
    customs_status: str
    customs_status_label: Label
    issue_date: datetime.date
    valid_until: datetime.date
    holder_name: str
    holder_uscc: str
    authority: str
    revision: int
    pdf: str


class CertificateDetail(CertificateSummary):
    holder_address: str
    ports: str
    remarks: str
    content: dict
    customs_reason: str
    void_reason: str
    lines: list[CertificateLineOut]


class WriteOffOut(Schema):
    id: int
    certificate: str
    line_number: int
    declaration_number: str
    declaration_item: int | None = None
    declaration_date: datetime.date
    port_code: str
    quantity: Decimal
    flags: list[str]
    problems: dict[str, list[str]]
    recorded_at: datetime.datetime


def _label(lazy) -> dict:
    from .filings import _label

    return _label(lazy)


def certificate_summary(system, certificate) -> dict:
    return {
        "number": certificate.number,
        "application": certificate.filing.number if certificate.filing_id else None,
        "source": certificate.source,
        "source_label": _label(certificate.get_source_display()),
        "status": certificate.status,
        "status_label": _label(certificate.get_status_display()),
        "customs_status": certificate.customs_status,
        "customs_status_label": _label(
            system.customs_status_labels.get(certificate.customs_status)
            or certificate.get_customs_status_display()
        ),
        "issue_date": certificate.issue_date,
        "valid_until": certificate.valid_until,
        "holder_name": certificate.holder_name,
        "holder_uscc": certificate.holder_uscc,
        "authority": certificate.authority.code,
        "revision": certificate.revision,
        "pdf": f"/api/v1/{system.slug}/certificates/{certificate.number}/pdf",
    }


def certificate_detail(system, certificate) -> dict:
    """A certificate with its lines; where customs writes off against it, each line's
    written-off quantity and remainder (``customs.services.ledger``, as the pages)."""
    if system.sends_to_customs:
        lines = [
            {
                **_line(row["line"]),
                "written_off": row["written_off"],
                "remainder": row["remainder"],
                "open_conflicts": row["open_conflicts"],
            }
            for row in ledger(certificate)
        ]
    else:
        lines = [_line(line) for line in certificate.lines.all()]
    return {
        **certificate_summary(system, certificate),
        "holder_address": certificate.holder_address,
        "ports": certificate.ports,
        "remarks": certificate.remarks,
        "content": certificate.content,
        "customs_reason": certificate.customs_reason,
        "void_reason": certificate.void_reason,
        "lines": lines,
    }


def _line(line) -> dict:
    return {
        "line_number": line.line_number,
        "hs_code": line.hs_code,
        "name": line.name,
        "quantity": line.quantity,
        "unit": line.unit,
        "details": line.details,
    }


def write_off_body(write_off) -> dict:
    from .errors import in_both

    flags = [
        name
        for name in ("exceeds_remainder", "exceeds_uses", "after_validity")
        if getattr(write_off, name)
    ]
    return {
        "id": write_off.pk,
        "certificate": write_off.certificate.number,
        "line_number": write_off.line.line_number,
        "declaration_number": write_off.declaration_number,
        "declaration_item": write_off.declaration_item,
        "declaration_date": write_off.declaration_date,
        "port_code": write_off.port_code,
        "quantity": write_off.quantity,
        "flags": flags,
        "problems": in_both(write_off.problems),
        "recorded_at": write_off.recorded_at,
    }


def _pdf_response():
    from .filings import PDF_RESPONSE

    return PDF_RESPONSE


def add_routes(router, system, op) -> None:
    if not system.issues_certificate:
        return
    from .filings import ERR, Bodies, IdCursorPagination, _pdf, filtered, query_schema

    key = system.key
    paging = {"ordering": ("-id",), "page_size": 20, "max_page_size": 100}

    def held(request):
        return documents.certificates_for_filer(request.user, key).select_related(
            "filing", "authority"
        )

    def summaries(qs):
        return Bodies(qs, lambda c: certificate_summary(system, c))

    HistoryFilters = query_schema(f"{op}CertificateFilters", CertificateHistoryFilter)

    @router.get(
        "certificates",
        response={200: list[CertificateSummary], **ERR},
        operation_id=f"{op}_certificates",
        summary="Every certificate the enterprise holds or held (历史数据查询)",
    )
    @paginate(IdCursorPagination, **paging)
    def certificates(request, filters: Query[HistoryFilters]):
        return summaries(filtered(CertificateHistoryFilter, request, held(request)))

    @router.get(
        "certificates/{number}",
        response={200: CertificateDetail, **ERR},
        operation_id=f"{op}_certificate_detail",
        summary="One certificate the enterprise holds, with its lines"
        + (" and what customs wrote off" if system.sends_to_customs else ""),
    )
    def certificate(request, number: str):
        return certificate_detail(system, get_object_or_404(held(request), number=number))

    @router.get(
        "certificates/{number}/pdf",
        response=ERR,
        operation_id=f"{op}_certificate_detail_pdf",
        summary="One certificate the enterprise holds, as PDF",
        openapi_extra=_pdf_response(),
    )
    def certificate_pdf(request, number: str):
        found = get_object_or_404(held(request), number=number)
        return _pdf(document_services.certificate_pdf(found), f"{found.number}.pdf")

    authority_filters = query_schema(f"{op}AuthorityCertificateFilters", CertificateFilter)

    if system.decisions:

        @router.get(
            "review/certificates",
            response={200: list[CertificateSummary], **ERR},
            operation_id=f"{op}_review_certificates",
            summary="The certificates your authority issued, imported or entered",
        )
        @paginate(IdCursorPagination, **paging)
        def review_certificates(request, filters: Query[authority_filters]):
            qs = documents.certificates_for_authority(request.user, key).select_related(
                "filing", "authority"
            )
            return summaries(filtered(CertificateFilter, request, qs))

    if system.statistics_form is not None:
        _statistics_route(router, system, op)

    if not system.sends_to_customs:
        return

    InForceFilters = query_schema(f"{op}CustomsStatusFilters", CustomsStatusFilter)

    @router.get(
        "customs-status",
        response={200: list[CertificateSummary], **ERR},
        operation_id=f"{op}_customs_status",
        summary="The certificates in force and what customs did with them (海关状态查询)",
    )
    @paginate(IdCursorPagination, **paging)
    def customs_status(request, filters: Query[InForceFilters]):
        qs = held(request).filter(
            status=CertificateStatus.ISSUED, valid_until__gte=timezone.localdate()
        )
        return summaries(filtered(CustomsStatusFilter, request, qs))

    WriteOffFilters = query_schema(f"{op}WriteOffFilters", WriteOffFilter)

    def write_offs_of(qs, request):
        found = filtered(WriteOffFilter, request, qs.select_related("certificate", "line"))
        return Bodies(found, write_off_body)

    @router.get(
        "write-offs",
        response={200: list[WriteOffOut], **ERR},
        operation_id=f"{op}_write_offs",
        summary="What customs wrote off against the enterprise's certificates (核销)",
    )
    @paginate(IdCursorPagination, **paging)
    def write_offs(request, filters: Query[WriteOffFilters]):
        return write_offs_of(customs_selectors.write_offs_for_filer(request.user, key), request)

    if system.decisions:

        @router.get(
            "review/write-offs",
            response={200: list[WriteOffOut], **ERR},
            operation_id=f"{op}_review_write_offs",
            summary="What customs wrote off against your authority's certificates",
        )
        @paginate(IdCursorPagination, **paging)
        def review_write_offs(request, filters: Query[WriteOffFilters]):
            return write_offs_of(
                customs_selectors.write_offs_for_authority(request.user, key), request
            )


class StatisticsRow(Schema):
    hs_code: str
    goods: Label
    unit: str
    month_quantity: Decimal
    month_usd: Decimal
    month_count: int
    year_quantity: Decimal
    year_usd: Decimal
    year_count: int


class StatisticsOut(Schema):
    year: int
    month: int
    rows: list[StatisticsRow]


def _statistics_route(router, system, op) -> None:
    """The system's statistics (its declared ``statistics_form`` and ``statistics``):
    the page's filters as query parameters, the page's rows as JSON."""
    from filings.selectors import filer_membership

    from .filings import ERR, query_schema

    form_class = system.statistics_form

    Filters = query_schema(f"{op}StatisticsFilters", form_class)

    @router.get(
        "statistics",
        response={200: StatisticsOut, **ERR},
        operation_id=f"{op}_statistics",
        summary="The enterprise's monthly statistics (月度统计): this month and the year "
        "to date, per commodity (year and month default to this month)",
    )
    def statistics(request, filters: Query[Filters]):
        if filer_membership(request.user, system.key) is None:
            raise ApiError(
                403, "module_not_granted", _("Your account does not hold this filing system.")
            )
        form = form_class(request.GET)
        if not form.is_valid():
            raise form_error(form)
        rows = system.statistics(user=request.user, **form.filters())
        return {
            "year": form.cleaned_data["year"],
            "month": form.cleaned_data["month"],
            "rows": [
                {
                    "hs_code": row["hs_code__code"],
                    "goods": {
                        "zh": row["hs_code__name_zh"],
                        "en": row["hs_code__name_en"] or row["hs_code__name_zh"],
                    },
                    "unit": row["unit"],
                    **{
                        k: row[k]
                        for k in (
                            "month_quantity",
                            "month_usd",
                            "month_count",
                            "year_quantity",
                            "year_usd",
                            "year_count",
                        )
                    },
                }
                for row in rows
            ],
        }
