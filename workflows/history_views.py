"""The inspector export of a filing's (or a certificate's) whole history, for every system
with a back office: approvers and authority administrators of the filing's authority
(from the application detail and from the certificate), and regulators holding the
system's read right over the enterprise's region.  Everyone else, and every unknown
number, gets a 404.  A POST (the export is recorded in the audit)."""

import tempfile

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from documents.selectors import certificates_for_authority
from filings.selectors import filings_for_authority, filings_for_regulator
from portal.accounts.selectors import regulator_may_read

from .history_export import Subject, export, file_name


def _download(request, subject: Subject) -> FileResponse:
    scratch = tempfile.TemporaryFile()
    export(subject, scratch, actor=request.user, request=request)
    scratch.seek(0)
    return FileResponse(scratch, as_attachment=True, filename=file_name(subject))


@require_POST
def filing_history(request, number: str, system=None):
    """From the approver's application detail (the selector of that page)."""
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    return _download(request, Subject.of_filing(filing))


@require_POST
def certificate_history(request, number: str, system=None):
    """From the certificate page: its filing's workbook (its own, when imported)."""
    certificate = get_object_or_404(
        certificates_for_authority(request.user, system.key), number=number
    )
    if certificate.filing_id is None:
        return _download(request, Subject.of_certificate(certificate))
    filing = get_object_or_404(
        filings_for_authority(request.user, system.key), pk=certificate.filing_id
    )
    return _download(request, Subject.of_filing(filing))


@require_POST
def regulator_history(request, number: str, system=None):
    """From the regulator's record page: only through ``filings_for_regulator``."""
    if not regulator_may_read(request.user, system.key):
        raise Http404
    filing = get_object_or_404(filings_for_regulator(request.user, system.key), number=number)
    return _download(request, Subject.of_filing(filing))
