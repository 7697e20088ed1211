"""Batch prints and Excel exports, small ones inline, large ones as tasks with progress.

A job stores only its owner and parameters (the filters or the selected
numbers); the task scopes every query again through the owner's selectors,
so a job can never reach another authority's data.
"""

import tempfile
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import FilteredRelation, OuterRef, Q, Subquery, Sum
from django.tasks import task
from django.utils import timezone, translation

from . import excel, filters, selectors, services
from .models import (
    CertificateLine,
    CertificateStatus,
    DocumentJob,
    DrugPermitGoodsLine,
    DrugPermitStatus,
    PrintRecord,
)

# Up to this many rows an export is written while the user waits.
INLINE_EXPORT_ROWS = 2000
MAX_BATCH_DOCUMENTS = 500

C = excel.Column
APPLICATION_COLUMNS = [
    C("申请单号", 18),
    C("进出口", 8),
    C("状态", 16),
    C("申请单位", 30),
    C("统一社会信用代码", 21),
    C("审批机关", 24),
    C("用途", 14),
    C("药品名称", 22),
    C("商品编码", 12),
    C("剂型", 10),
    C("数量合计", 12),
    C("单位", 8),
    C("口岸", 20),
    C("申报时间", 18),
    C("准许证号", 16),
]
CERTIFICATE_COLUMNS = [
    C("准许证号", 16),
    C("申请单号", 18),
    C("进出口", 8),
    C("证书状态", 10),
    C("单位名称", 30),
    C("统一社会信用代码", 21),
    C("序号", 6),
    C("药品名称", 22),
    C("英文名称", 26),
    C("商品编码", 12),
    C("剂型", 10),
    C("规格", 14),
    C("数量", 12),
    C("单位", 8),
    C("生产厂商", 26),
    C("国家（地区）", 12),
    C("发证日期", 12),
    C("有效期至", 12),
    C("发证机关", 24),
]
DIRECTIONS = {"IMPORT": "进口", "EXPORT": "出口"}


def _labels(choices) -> dict:
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices}


def _naive(value, zone):
    return value.astimezone(zone).replace(tzinfo=None) if value else None


def application_rows(applications):
    """One row per application of the (scoped, filtered) queryset, typed for Excel."""
    statuses = _labels(DrugPermitStatus.choices)
    zone = ZoneInfo(settings.TIME_ZONE)
    totals = (
        DrugPermitGoodsLine.objects.filter(application=OuterRef("pk"))
        .values("application")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    rows = (
        applications.annotate(
            first=FilteredRelation("goods_lines", condition=Q(goods_lines__line_number=1)),
            total=Subquery(totals),
        )
        .order_by("-submitted_at", "-pk")
        .values_list(
            "number",
            "direction",
            "status",
            "enterprise__name_zh",
            "enterprise__uscc",
            "authority__name_zh",
            "purpose__name_zh",
            "first__drug_name_zh",
            "first__hs_code__code",
            "first__dosage_form__name_zh",
            "total",
            "first__unit",
            "import_port_1__name_zh",
            "export_port_1",
            "submitted_at",
            "certificate__number",
        )
    )
    for row in rows.iterator(chunk_size=2000):
        yield (
            row[0],
            DIRECTIONS.get(row[1], row[1]),
            statuses.get(row[2], row[2]),
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            row[10],
            row[11],
            row[12] or row[13],
            _naive(row[14], zone),
            row[15],
        )


def certificate_rows(certificates):
    """药品进出口准许证数据统计表: one row per licensed line of each certificate."""
    statuses = _labels(CertificateStatus.choices)
    lines = (
        CertificateLine.objects.filter(certificate__in=certificates)
        .order_by("certificate__issue_date", "certificate__number", "line_number")
        .values_list(
            "certificate__number",
            "certificate__application__number",
            "certificate__direction",
            "certificate__status",
            "certificate__holder_name",
            "certificate__holder_uscc",
            "line_number",
            "drug_name_zh",
            "drug_name_en",
            "hs_code",
            "dosage_form",
            "specification",
            "quantity",
            "unit",
            "manufacturer",
            "country",
            "certificate__issue_date",
            "certificate__valid_until",
            "certificate__authority__name_zh",
        )
    )
    for row in lines.iterator(chunk_size=2000):
        row = list(row)
        row[2] = DIRECTIONS.get(row[2], row[2])
        row[3] = statuses.get(row[3], row[3])
        yield row


def _applications_for(owner, params):
    qs = selectors.drug_permits_for_authority(owner)
    if params.get("selected"):
        return qs.filter(number__in=params["selected"])
    return filters.applications(qs, params.get("filters", {}))


def _certificates_for(owner, params):
    qs = selectors.certificates_for_authority(owner)
    if params.get("selected"):
        return qs.filter(number__in=params["selected"])
    return filters.certificates(qs, params.get("filters", {}))


EXPORTS = {
    DocumentJob.Kind.APPLICATION_EXPORT: (
        "申请单",
        APPLICATION_COLUMNS,
        _applications_for,
        application_rows,
        "applications",
    ),
    DocumentJob.Kind.CERTIFICATE_EXPORT: (
        "准许证数据统计表",
        CERTIFICATE_COLUMNS,
        _certificates_for,
        certificate_rows,
        "certificates",
    ),
}


def export_count(kind, owner, params) -> int:
    _title, _columns, scope, _rows, _name = EXPORTS[kind]
    qs = scope(owner, params)
    if kind == DocumentJob.Kind.CERTIFICATE_EXPORT:
        return CertificateLine.objects.filter(certificate__in=qs).count()
    return qs.count()


def write_export(kind, owner, params, target, progress=None) -> int:
    title, columns, scope, rows, _name = EXPORTS[kind]
    return excel.write_workbook(
        target, title=title, columns=columns, rows=rows(scope(owner, params)), progress=progress
    )


def export_file_name(kind) -> str:
    return f"{EXPORTS[kind][4]}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


# --- batch printing ------------------------------------------------------------

PRINTABLE = {
    # documents -> (scoped queryset for the owner, key, template + context, record kind)
    "notice": (
        selectors.notices_for_authority,
        "pk",
        lambda n, mode: ("documents/notice.html", services.notice_context(n)),
        PrintRecord.Kind.NOTICE,
    ),
    "sign_off": (
        selectors.drug_permits_for_authority,
        "number",
        lambda a, mode: ("documents/sign_off.html", services.sign_off_context(a)),
        PrintRecord.Kind.SIGN_OFF,
    ),
    "certificate": (
        selectors.certificates_for_authority,
        "number",
        lambda c, mode: (
            services.CERTIFICATE_TEMPLATES[mode],
            services.certificate_context(c),
        ),
        PrintRecord.Kind.CERTIFICATE,
    ),
}


def printable(owner, documents: str, keys) -> list:
    scope, key, _part, _kind = PRINTABLE[documents]
    found = {str(getattr(d, key)): d for d in scope(owner).filter(**{f"{key}__in": keys})}
    return [found[str(k)] for k in keys if str(k) in found]


def batch_pdf(owner, params, progress=None) -> bytes:
    _scope, _key, part, kind = PRINTABLE[params["documents"]]
    mode = params.get("mode") or PrintRecord.Mode.FULL
    items = printable(owner, params["documents"], params["keys"])
    data = services.pdf.render_many((part(item, mode) for item in items), progress=progress)
    PrintRecord.objects.bulk_create(
        PrintRecord(kind=kind, object_id=str(item.pk), mode=mode, printed_by=owner)
        for item in items
    )
    return data


# --- running jobs ----------------------------------------------------------------


def start(*, kind: str, owner, params: dict, total: int) -> DocumentJob:
    job = DocumentJob.objects.create(kind=kind, owner=owner, params=params, total=total)
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def _progress(job):
    def report(done):
        DocumentJob.objects.filter(pk=job.pk).update(done=done)

    return report


@task()
def run_job(job_id: int) -> None:
    job = DocumentJob.objects.select_related("owner").get(pk=job_id)
    if job.state != DocumentJob.State.QUEUED:
        return  # delivered twice: the first run owns it
    DocumentJob.objects.filter(pk=job.pk).update(state=DocumentJob.State.RUNNING)
    try:
        with tempfile.TemporaryFile() as scratch:
            if job.kind == DocumentJob.Kind.BATCH_PRINT:
                scratch.write(batch_pdf(job.owner, job.params, progress=_progress(job)))
                name = f"print-{timezone.localtime():%Y%m%d-%H%M}.pdf"
            else:
                write_export(job.kind, job.owner, job.params, scratch, progress=_progress(job))
                name = export_file_name(job.kind)
            scratch.seek(0)
            job.file.save(name, File(scratch), save=False)
        DocumentJob.objects.filter(pk=job.pk).update(
            state=DocumentJob.State.DONE,
            file=job.file.name,
            file_name=name,
            finished_at=timezone.now(),
        )
    except Exception as error:  # the owner sees the failure instead of a bar stuck at n %
        DocumentJob.objects.filter(pk=job.pk).update(
            state=DocumentJob.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
