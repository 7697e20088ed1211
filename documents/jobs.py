"""Batch prints and Excel exports, small ones inline, large ones as tasks with progress.

A job stores only its owner, its system, its parameters (the filters or the
selected keys) and its owner's language; the task scopes every query again
through the owner's selectors, so a job can never reach another authority's
data.  What a system's export holds comes from its declaration; an export is
written in the language of whoever asked for it (headers, titles, labels and
reference names), while printed documents stay Chinese.
"""

import tempfile

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from filings import registry, versions
from filings.filters import filing_filterset, regulator_filterset
from filings.selectors import filings_for_authority, filings_for_regulator

from . import excel, selectors, services
from .filters import CertificateFilter
from .models import CertificateLine, CertificateStatus, DocumentJob, PrintRecord

# Up to this many rows an export is written while the user waits.
INLINE_EXPORT_ROWS = 2000
MAX_BATCH_DOCUMENTS = 500


def _applications_for(owner, system, params):
    # Scoped again when the job runs, through the owner's selector: an authority's staff
    # read what was filed to it, a regulator its jurisdiction's submitted records.
    if params.get("scope") == "regulator":
        qs = filings_for_regulator(owner, system.key)
        filterset = regulator_filterset(system.key)
    else:
        qs = filings_for_authority(owner, system.key)
        filterset = filing_filterset(system.key, "authority")
    if params.get("selected"):
        return qs.filter(number__in=params["selected"])
    return filterset(params.get("filters", {}), queryset=qs).qs


def _certificates_for(owner, system, params):
    qs = selectors.certificates_for_authority(owner, system.key)
    if params.get("selected"):
        return qs.filter(number__in=params["selected"])
    return CertificateFilter(params.get("filters", {}), queryset=qs).qs


def _pick(row: dict, key: str):
    if key.startswith("details."):
        return (row["details"] or {}).get(key[8:], "")
    if key.startswith("content."):
        return (row["certificate__content"] or {}).get(key[8:], "")
    return row[key]


def certificate_rows(system, certificates):
    """The system's certificate statistics table: one row per licensed line, in the active
    language (a reference item's ``…__name_zh`` by its English name when there is one)."""
    statuses = {value: str(label) for value, label in CertificateStatus.choices}
    columns = system.certificate_export_columns
    keys = [column[2] for column in columns]
    formats = [column[3] if len(column) > 3 else None for column in columns]
    english = (translation.get_language() or "").startswith("en")
    localized = {k: f"{k[:-3]}_en" for k in keys if english and k.endswith("__name_zh")}
    fields = sorted(
        {k for k in keys if not k.startswith(("details.", "content."))}
        | {"details", "certificate__content"}
        | set(localized.values())
    )
    lines = (
        CertificateLine.objects.filter(certificate__in=certificates)
        .order_by("certificate__issue_date", "certificate__number", "line_number")
        .values(*fields)
    )
    for row in lines.iterator(chunk_size=2000):
        values = []
        for key, format_value in zip(keys, formats, strict=True):
            value = _pick(row, key)
            if key in localized:
                value = row[localized[key]] or value
            if key == "certificate__status":
                value = statuses.get(value, value)
            elif format_value is not None:
                value = format_value(value)
            values.append(value)
        yield values


def _columns(system, kind):
    if kind == DocumentJob.Kind.CERTIFICATE_EXPORT:
        return system.certificate_export_title, [
            excel.Column(column[0], column[1]) for column in system.certificate_export_columns
        ]
    return system.export_title, [excel.Column(c.label, c.width) for c in system.export_columns]


def export_count(kind, owner, system, params) -> int:
    if kind == DocumentJob.Kind.CERTIFICATE_EXPORT:
        certificates = _certificates_for(owner, system, params)
        return CertificateLine.objects.filter(certificate__in=certificates).count()
    return _applications_for(owner, system, params).count()


def version_rows(system, filings):
    """One row per submitted version of each record, oldest first, numbered."""
    for filing in filings.order_by("number").iterator(chunk_size=200):
        for version in versions.submitted_versions(filing):
            obj = version.as_object()
            yield [version.number, *(c.of(obj) for c in system.export_columns)]


def write_export(kind, owner, system, params, target, progress=None, language=None) -> int:
    """The export in ``language`` (default: the active one, the request's when inline)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        title, columns = _columns(system, kind)
        if params.get("every_version"):
            columns = [excel.Column(str(_("Version")), 8), *columns]
        if kind == DocumentJob.Kind.CERTIFICATE_EXPORT:
            rows = certificate_rows(system, _certificates_for(owner, system, params))
        elif params.get("every_version"):
            rows = version_rows(system, _applications_for(owner, system, params))
        else:
            rows = system.export_rows(_applications_for(owner, system, params))
        return excel.write_workbook(
            target, title=title, columns=columns, rows=rows, progress=progress
        )


def export_file_name(kind) -> str:
    name = "certificates" if kind == DocumentJob.Kind.CERTIFICATE_EXPORT else "applications"
    return f"{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"


# --- batch printing ------------------------------------------------------------------------


def _notice(notice, mode):
    return "documents/notice.html", services.notice_context(notice)


def _sign_off(filing, mode):
    return "documents/sign_off.html", services.sign_off_context(filing)


def _certificate(certificate, mode):
    return services.certificate_template(certificate, mode), services.certificate_context(
        certificate
    )


PRINTABLE = {
    # documents -> (scoped queryset for the owner and system, key, template + context, kind)
    "notice": (selectors.notices_for_authority, "pk", _notice, PrintRecord.Kind.NOTICE),
    "sign_off": (filings_for_authority, "number", _sign_off, PrintRecord.Kind.SIGN_OFF),
    "certificate": (
        selectors.certificates_for_authority,
        "number",
        _certificate,
        PrintRecord.Kind.CERTIFICATE,
    ),
}


def printable(owner, system, documents: str, keys) -> list:
    scope, key, _part, _kind = PRINTABLE[documents]
    found = {
        str(getattr(d, key)): d for d in scope(owner, system.key).filter(**{f"{key}__in": keys})
    }
    return [found[str(k)] for k in keys if str(k) in found]


def batch_pdf(owner, system, params, progress=None) -> bytes:
    _scope, _key, part, kind = PRINTABLE[params["documents"]]
    mode = params.get("mode") or PrintRecord.Mode.FULL
    items = printable(owner, system, params["documents"], params["keys"])
    data = services.pdf.render_many((part(item, mode) for item in items), progress=progress)
    for item in items:
        services.record_print(kind=kind, document=item, actor=owner, mode=mode)
    return data


# --- running jobs ----------------------------------------------------------------------------


def start(*, kind: str, owner, system, params: dict, total: int) -> DocumentJob:
    """Queue a job; it runs in the language active now (its owner's, on the request)."""
    language = translation.get_language()
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    job = DocumentJob.objects.create(
        kind=kind, system=system.key, owner=owner, params=params, total=total, language=language
    )
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
    system = registry.get(job.system)
    try:
        with tempfile.TemporaryFile() as scratch:
            if job.kind == DocumentJob.Kind.BATCH_PRINT:
                scratch.write(batch_pdf(job.owner, system, job.params, progress=_progress(job)))
                name = f"print-{timezone.localtime():%Y%m%d-%H%M}.pdf"
            else:
                write_export(
                    job.kind,
                    job.owner,
                    system,
                    job.params,
                    scratch,
                    progress=_progress(job),
                    language=job.language,
                )
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
