"""The enterprise's pages of every filing system (seed 001 and its siblings): the list
with its actions, create, the detail with header, goods lines and attachments,
submit, and the documents.  Each view gets its ``system`` from the URLs the
mechanism builds for it (``workflows.urls``)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Min
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from customs import selectors as customs_selectors
from customs.admin_views import certificate_context
from customs.filters import WriteOffFilter
from documents import selectors as documents
from documents import services as document_services
from documents.filters import CertificateHistoryFilter, CustomsStatusFilter
from documents.models import CertificateStatus
from documents.views import pdf_response
from filings import audit, versions
from filings.filters import filing_filterset
from filings.models import StagedImport
from filings.runner import AlreadyHandled
from filings.selectors import attachments_of, filer_membership, filing_for_filer, filings_for_filer
from filings.transitions import available
from portal import files
from portal.accounts import second_factor
from portal.accounts.views import enterprise_required
from portal.pagination import paginate, url_pattern
from portal.spreadsheets import XLSX_TYPE

from . import services, spreadsheets
from .forms import AttachmentForm, ImportForm


def system_module(view):
    """Only users granted the system's module, past the system's own entry condition."""

    @wraps(view)
    @enterprise_required()
    def wrapped(request, *args, system, **kwargs):
        if filer_membership(request.user, system.key) is None:
            # An agent the owner has not granted this module: say so, and who grants it.
            owner = (
                request.membership.enterprise.members.filter(is_owner=True)
                .select_related("user")
                .first()
            )
            return render(
                request,
                "workflows/enterprise/not_granted.html",
                {"system": system, "owner": owner.user if owner else None},
                status=403,
            )
        block = system.entry_block(request.membership)
        if block:
            return render(request, block, {"system": system}, status=403)
        request.system = system
        return view(request, *args, system=system, **kwargs)

    return wrapped


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _to_form(form, error: ValidationError) -> None:
    """A service's ValidationError shown where it belongs: next to the field it names."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


def _url(system, name, *args):
    return redirect(f"{system.url_namespace}:{name}", *args)


@system_module
def filing_list(request, *, system):
    qs = system.list_queryset(
        filings_for_filer(request.user, system.key).select_related("authority", "certificate")
    )
    filterset = filing_filterset(system.key, "filer")(request.GET or None, queryset=qs)
    page, problem = paginate(request, filterset.qs, ("-created_at", "-id"), per_page=20)
    ns = system.url_namespace
    detail, form = url_pattern(f"{ns}:detail"), url_pattern(f"{ns}:application-form")
    notice_url, certificate_url = url_pattern(f"{ns}:notice", 2), url_pattern(f"{ns}:certificate")
    notices = {}
    for notice in documents.notices_for_filings([f.pk for f in page]):
        notices.setdefault(notice.filing_id, []).append(
            (notice_url(notice.filing.number, notice.pk), notice.get_kind_display())
        )
    rows = [
        {
            "filing": filing,
            "url": detail(filing.number),
            "form": form(filing.number),
            "columns": [c.of(filing) for c in system.list_columns],
            "status": filing.status_label,
            "created": timezone.localtime(filing.created_at).strftime("%Y-%m-%d %H:%M"),
            "notices": notices.get(filing.pk, []),
            "certificate": certificate_url(filing.number)
            if getattr(filing, "certificate", None)
            else "",
        }
        for filing in page
    ]
    return render(
        request,
        system.template("list", "workflows/enterprise/list.html"),
        {
            "system": system,
            "ns": system.url_namespace,
            "page": page,
            "rows": rows,
            "filterset": filterset,
            "problems": filterset.problems + ([problem] if problem else []),
            "columns": [c.label for c in system.list_columns],
        },
    )


def _copies(raw: str, most: int) -> int:
    """How many copies the filer asked for: a whole number from 1 to ``most``."""
    try:
        count = int(str(raw).strip() or "1")
    except ValueError:
        count = 0
    if not 1 <= count <= most:
        raise ValidationError(
            _("Enter how many copies to make: a whole number from 1 to %(most)s.") % {"most": most}
        )
    return count


# 批量打印 renders while the filer waits: a page of the list at most.
PRINT_AT_ONCE = 20


@require_POST
@system_module
def list_action(request, *, system):
    """Copy (exactly one), print (one PDF), delete (drafts, confirmed), withdraw or submit
    the selected filings."""
    numbers = request.POST.getlist("selected")
    action = request.POST.get("action")
    if not numbers:
        messages.error(request, _("Select an application first."))
        return _url(system, "list")
    filings = [filing_for_filer(request.user, system.key, n) for n in numbers]
    try:
        if action == "print":
            if len(filings) > PRINT_AT_ONCE:
                raise ValidationError(
                    _("Print at most %(most)s applications at once.") % {"most": PRINT_AT_ONCE}
                )
            return pdf_response(
                document_services.application_forms_pdf(filings), "applications.pdf"
            )
        if action == "copy":
            if len(filings) != 1:
                raise ValidationError(_("Select exactly one application to copy."))
            count = _copies(request.POST.get("copies", "1"), system.copies_max)
            copies = services.copy_filing(filing=filings[0], actor=request.user, times=count)
            messages.success(
                request,
                _("Copied as %(numbers)s.") % {"numbers": "、".join(c.number for c in copies)},
            )
            if count == 1:
                return _url(system, "detail", copies[0].number)
            return _url(system, "list")
        if action in BATCH_ACTIONS:
            _batch(request, system, filings, action)
        else:
            messages.error(request, _("Choose an action."))
    except ValidationError as error:
        _errors(request, error)
    return _url(system, "list")


def _delete(request, filing):
    services.delete_draft(filing=filing, actor=request.user)


def _withdraw(request, filing):
    services.withdraw(filing=filing, actor=request.user, request=request)


def _submit(request, filing):
    services.submit(filing=filing, actor=request.user, request=request)


# action -> (service, what succeeded); each selected filing on its own, each reported.
BATCH_ACTIONS = {
    "delete": (_delete, gettext_lazy("Deleted: %(numbers)s.")),
    "withdraw": (_withdraw, gettext_lazy("Withdrawn: %(numbers)s.")),
    "submit": (_submit, gettext_lazy("Submitted: %(numbers)s.")),
}


def _batch(request, system, filings, action) -> None:
    """Delete, withdraw or submit several filings: what succeeded, and why the rest did not."""
    run, done_message = BATCH_ACTIONS[action]
    done = []
    for filing in filings:
        try:
            run(request, filing)
        except ValidationError as error:
            messages.error(request, f"{filing.number}：{' '.join(error.messages)}")
        except AlreadyHandled as error:
            messages.error(request, f"{filing.number}：{error}")
        else:
            done.append(filing)
    if done:
        messages.success(request, done_message % {"numbers": "、".join(f.number for f in done)})
        if action == "withdraw" and not all(f.is_editable for f in done):
            messages.info(
                request, _("A withdrawal the authority reviews is pending until it does.")
            )


@system_module
def create(request, *, system):
    enterprise = request.membership.enterprise
    form = system.header_form(
        request.POST or None,
        enterprise=enterprise,
        params=request.GET,
        initial=system.prefill_values(enterprise),
    )
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.create_draft(system=system, actor=request.user, values=form.values())
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(
                request,
                _("Saved as %(number)s. Add the goods lines and attachments next.")
                % {"number": filing.number},
            )
            _still_missing(request, filing)
            return _url(system, "detail", filing.number)
    return render(
        request,
        system.template("create", "workflows/enterprise/create.html"),
        {"system": system, "ns": system.url_namespace, "form": form},
    )


def _line_page(request, system, filing):
    """The goods lines of one page (a filing may hold thousands, imported from Excel)."""
    lines = system.lines_of(filing)
    if system.line_model is None:
        return None, []
    page = Paginator(lines, system.lines_per_page).get_page(request.GET.get("lines_page"))
    return page, list(page.object_list)


@system_module
def detail(request, number: str, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    editable = filing.is_editable
    line_page, lines = _line_page(request, system, filing)
    first_line = system.lines_of(filing).first() if lines else None
    posted = request.POST if request.method == "POST" and editable else None
    header = system.header_form(
        posted, instance=services.working_copy(filing), enterprise=request.membership.enterprise
    )
    has_lines = system.line_form is not None  # a record without goods (the drug archive)
    copy_id = request.GET.get("copy", "")
    copy_from = (
        system.lines_of(filing).filter(pk=copy_id).first()
        if has_lines and copy_id.isdigit()
        else None
    )
    adding_line = has_lines and bool(posted and posted.get("form") in ("line", "line_add"))
    line_form = (
        system.line_form(
            posted if adding_line else None,
            filing=filing,
            first_line=first_line,
            initial=system.line_initial(copy_from),
        )
        if has_lines
        else None
    )
    if posted:
        # One form holds the header and the new goods line: adding a line saves
        # the header too (as the seed's 新增 does), so no typing is lost.
        header_ok = header.is_valid()
        line_ok = line_form.is_valid() if adding_line else True
        if header_ok and line_ok:
            try:
                line = services.save_draft(
                    filing=filing,
                    actor=request.user,
                    values=header.values(),
                    line_values=line_form.values() if adding_line else None,
                )
            except ValidationError as error:
                if (
                    adding_line
                    and hasattr(error, "error_dict")
                    and all(f in line_form.fields for f in error.message_dict if f != "__all__")
                ):
                    _to_form(line_form, error)
                else:
                    _to_form(header, error)
                filing.refresh_from_db()
            else:
                if line is None:
                    messages.success(request, _("Saved."))
                    _still_missing(request, filing)
                    return _url(system, "detail", number)
                messages.success(request, _("Goods line %(n)s saved.") % {"n": line.line_number})
                url = redirect(f"{system.url_namespace}:detail", number).url
                if posted.get("form") == "line_add":
                    return redirect(f"{url}?copy={line.pk}#goods")
                return redirect(url + "#goods")
    return render(
        request,
        system.template("detail", "workflows/enterprise/detail.html"),
        {
            **_detail_context(request, system, filing, line_page, lines),
            "header": header,
            "line_form": line_form,
        },
    )


def _still_missing(request, filing) -> None:
    """A saved draft says what submitting still needs (the seed's 暂存 does)."""
    missing = services.still_missing(services.working_copy(filing))
    if missing:
        messages.warning(
            request,
            _("Before submitting, still needed: %(items)s") % {"items": " ".join(missing)},
        )


def _detail_context(request, system, filing, line_page, lines) -> dict:
    editable = filing.is_editable
    attachments = list(attachments_of(filing).select_related("attachment_type"))
    types = system.attachment_types(filing)
    if types is None:
        rows = [(None, a) for a in attachments]
    else:
        by_type = {a.attachment_type_id: a for a in attachments}
        rows = [(t, by_type.get(t.pk)) for t in types]
    line_count = line_page.paginator.count if line_page else 0
    return {
        "system": system,
        "ns": system.url_namespace,
        "application": filing,
        "editable": editable,
        "facts": [(c.label, c.of(filing)) for c in system.header_columns if c.applies(filing)],
        "line_labels": [c.label for c in system.line_columns],
        "lines": [(line, [c.of(line) for c in system.line_columns]) for line in lines],
        "line_page": line_page,
        "line_count": line_count,
        "can_add_line": editable and (system.max_lines is None or line_count < system.max_lines),
        "attachment_rows": [
            (kind, attachment, attachment and services.may_delete_attachment(filing, attachment))
            for kind, attachment in rows
        ],
        "free_attachments": types is None,
        "attachment_form": AttachmentForm(),
        "history": audit.history_for_enterprise(filing),
        "versions": versions.submitted_versions(filing) if system.versioned else [],
        "certificate": getattr(filing, "certificate", None),
        "notices": documents.notices_of(filing),
        "actions": available(filing, request.user, "filer"),
    }


@system_module
def edit_line(request, number: str, line_id: int, *, system):
    """修改: one goods line of a draft, in its own form; the rules as when adding."""
    filing = filing_for_filer(request.user, system.key, number)
    line = get_object_or_404(system.lines_of(filing), pk=line_id)
    if not filing.is_editable:
        messages.error(
            request, _("Only drafts and applications returned for supplement can change.")
        )
        return _url(system, "detail", number)
    others = system.lines_of(filing).exclude(pk=line.pk)
    first = others.first() if others.filter(line_number__lt=line.line_number).exists() else None
    form = system.line_form(request.POST or None, instance=line, first_line=first, filing=filing)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_line(filing=filing, actor=request.user, line=line, values=form.values())
        except ValidationError as error:
            _to_form(form, error)
        else:
            messages.success(request, _("Goods line %(n)s saved.") % {"n": line.line_number})
            return redirect(redirect(f"{system.url_namespace}:detail", number).url + "#goods")
    return render(
        request,
        "workflows/enterprise/line_form.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "application": filing,
            "line": line,
            "form": form,
        },
    )


def _xlsx(content: bytes, filename: str):
    return files.download(content, filename, content_type=XLSX_TYPE)


@system_module
def line_template(request, *, system):
    """The goods-line template: headers, an example row, drop-down lists."""
    if not system.lines_from_excel:
        raise Http404
    return _xlsx(*spreadsheets.line_template(system))


@system_module
def attachment_template(request, *, system):
    """The attachment-list template (document name, number, issuer, date…)."""
    if system.attachment_sheet_form is None:
        raise Http404
    return _xlsx(*spreadsheets.attachment_list_template(system))


@system_module
def import_lines(request, number: str, *, system):
    """Goods from Excel: upload, then a preview; nothing is added until confirmed."""
    if not system.lines_from_excel:
        raise Http404
    filing = filing_for_filer(request.user, system.key, number)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            staged = services.stage_line_import(
                filing=filing, actor=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _to_form(form, error)
        else:
            return redirect(f"{system.url_namespace}:import-preview", number, staged.pk)
    return render(
        request,
        "workflows/enterprise/import_lines.html",
        {"system": system, "ns": system.url_namespace, "application": filing, "form": form},
    )


PREVIEW_ROWS = 50


@system_module
def import_preview(request, number: str, staged_id: int, *, system):
    """The rows read: accepted ones, and rejected ones with row, column and reason."""
    filing = filing_for_filer(request.user, system.key, number)
    staged = get_object_or_404(
        StagedImport.objects.filter(filing=filing, created_by=request.user), pk=staged_id
    )
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            staged.delete()
            messages.info(request, _("Import cancelled; nothing was added."))
            return redirect(redirect(f"{system.url_namespace}:detail", number).url + "#goods")
        try:
            added = services.confirm_line_import(filing=filing, actor=request.user, staged=staged)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("%(n)s goods lines added.") % {"n": added})
            return redirect(redirect(f"{system.url_namespace}:detail", number).url + "#goods")
    form = system.line_form(filing=filing)
    columns = spreadsheets.columns_of(form)
    accepted = Paginator(staged.accepted, PREVIEW_ROWS).get_page(request.GET.get("page"))
    rejected = Paginator(staged.rejected, PREVIEW_ROWS).get_page(request.GET.get("rejected"))
    rows = spreadsheets.shown(columns, accepted)
    return render(
        request,
        "workflows/enterprise/import_preview.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "application": filing,
            "staged": staged,
            "headers": [c.labels[0] for c in columns],
            "accepted": accepted,
            "rows": rows,
            "rejected": rejected,
            "rejected_rows": len({row for row, _c, _r in staged.rejected}),
        },
    )


@require_POST
@system_module
def delete_line(request, number: str, line_id: int, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    line = get_object_or_404(system.lines_of(filing), pk=line_id)
    try:
        services.delete_line(filing=filing, actor=request.user, line=line)
        messages.success(request, _("Goods line deleted."))
    except ValidationError as error:
        _errors(request, error)
    return _url(system, "detail", number)


@require_POST
@system_module
def upload(request, number: str, type_id: int | None = None, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    attachment_type = None
    if type_id is not None:
        types = system.attachment_types(filing) or []
        attachment_type = next((t for t in types if t.pk == type_id), None)
        if attachment_type is None:
            raise Http404
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            services.upload_attachment(
                filing=filing,
                actor=request.user,
                attachment_type=attachment_type,
                uploaded_file=form.cleaned_data["file"],
            )
            messages.success(request, _("Uploaded."))
        except ValidationError as error:
            _errors(request, error)
    return redirect(redirect(f"{system.url_namespace}:detail", number).url + "#attachments")


@require_POST
@system_module
def delete_attachment(request, number: str, attachment_id: int, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
    try:
        services.delete_attachment(filing=filing, actor=request.user, attachment=attachment)
        messages.success(request, _("Attachment deleted."))
    except ValidationError as error:
        _errors(request, error)
    return redirect(redirect(f"{system.url_namespace}:detail", number).url + "#attachments")


def attachment_download(filing, attachment_id: int):
    """The file of one of this filing's attachments, as a download (404 otherwise)."""
    attachment = get_object_or_404(attachments_of(filing), pk=attachment_id)
    return files.stored_download(attachment.file, attachment.original_name)


@system_module
def download_attachment(request, number: str, attachment_id: int, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    return attachment_download(filing, attachment_id)


@require_POST
@system_module
def submit(request, number: str, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    if system.submit_needs_second_factor and not second_factor.is_verified(request):
        # Once per session: a code given here verifies the session (django-otp) until
        # sign-out; not enrolled yet, the page links to enrolment and the draft stays.
        token = request.POST.get("second_factor_token", "")
        if not (token and second_factor.verify(request, token)):
            return render(
                request,
                "workflows/enterprise/second_factor_submit.html",
                {
                    "filing": filing,
                    "enrolled": second_factor.is_enrolled(request.user),
                    "error": bool(token),
                    "back": _url(system, "detail", number).url,
                },
            )
    try:
        services.submit(filing=filing, actor=request.user, request=request)
        messages.success(
            request,
            _("Submitted to %(authority)s.") % {"authority": filing.authority.localized_name}
            if filing.authority_id
            else _("Submitted."),
        )
    except ValidationError as error:
        _errors(request, error)
    except AlreadyHandled as error:
        messages.error(request, str(error))
    return _url(system, "detail", number)


# --- documents: the application form to stamp, notices, the certificate ------------------


@system_module
def application_form(request, number: str, *, system):
    """The application form as a PDF, printable from a saved draft on."""
    filing = filing_for_filer(request.user, system.key, number)
    return pdf_response(
        document_services.application_form_pdf(filing), f"application-{filing.number}.pdf"
    )


@system_module
def notice_pdf(request, number: str, notice_id: int, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    notice = get_object_or_404(documents.notices_of(filing), pk=notice_id)
    return pdf_response(document_services.notice_pdf(notice), f"notice-{notice.pk}.pdf")


@system_module
def certificate_pdf(request, number: str, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    certificate = getattr(filing, "certificate", None)
    if certificate is None:
        raise Http404
    return pdf_response(document_services.certificate_pdf(certificate), f"{certificate.number}.pdf")


# --- certificates and write-offs (核销查询) ---------------------------------------------------


@system_module
def write_offs(request, *, system):
    qs = customs_selectors.write_offs_for_filer(request.user, system.key).select_related(
        "certificate", "line"
    )
    filterset = WriteOffFilter(request.GET or None, queryset=qs)
    page, problem = paginate(request, filterset.qs, ("-declaration_date", "-pk"))
    return render(
        request,
        "workflows/enterprise/write_offs.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "page": page,
            "filterset": filterset,
            "problems": filterset.problems + ([problem] if problem else []),
        },
    )


def _certificates(request, system, *, history: bool):
    """海关状态查询 (certificates in force, what customs did) or 历史数据查询 (every
    certificate ever held, by number and issue date); each row opens its clearance data."""
    qs = (
        documents.certificates_for_filer(request.user, system.key)
        .select_related("filing")
        .annotate(goods=Min("lines__name"))
    )
    if not history:
        qs = qs.filter(status=CertificateStatus.ISSUED, valid_until__gte=timezone.localdate())
    filterset = (CertificateHistoryFilter if history else CustomsStatusFilter)(
        request.GET or None, queryset=qs
    )
    filterset.form.fields["number"].label = system.certificate_number_label
    page, problem = paginate(request, filterset.qs, ("-issue_date", "-pk"), per_page=20)
    return render(
        request,
        "workflows/enterprise/certificates.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "history": history,
            "page": page,
            "filterset": filterset,
            "problems": filterset.problems + ([problem] if problem else []),
        },
    )


@system_module
def customs_status(request, *, system):
    return _certificates(request, system, history=False)


@system_module
def certificate_history(request, *, system):
    return _certificates(request, system, history=True)


@system_module
def clearance(request, *, system):
    """结关数据查询: a licence number opens its clearance data (lines, declarations)."""
    number = request.GET.get("number", "").strip()
    if number:
        found = documents.certificates_for_filer(request.user, system.key).filter(
            number__iexact=number
        )
        certificate = found.first()
        if certificate:
            return redirect(f"{system.url_namespace}:certificate-detail", certificate.number)
        messages.error(
            request,
            _("You hold no %(noun)s numbered %(number)s.")
            % {"noun": str(system.certificate_noun).lower(), "number": number},
        )
    return render(
        request,
        "workflows/enterprise/clearance.html",
        {"system": system, "ns": system.url_namespace, "number": number},
    )


@system_module
def status(request, number: str, *, system):
    """查询审批状态: the filing's status now (the detail's refresh button asks it)."""
    filing = filing_for_filer(request.user, system.key, number)
    certificate = getattr(filing, "certificate", None)
    return JsonResponse(
        {
            "number": filing.number,
            "status": filing.status,
            "label": filing.status_label,
            "certificate": certificate.number if certificate else "",
            "customs": certificate.customs_status_label
            if certificate and system.sends_to_customs
            else "",
            "checked": timezone.localtime().strftime("%H:%M:%S"),
        }
    )


@system_module
def certificate_detail(request, number: str, *, system):
    certificate = get_object_or_404(
        documents.certificates_for_filer(request.user, system.key), number=number
    )
    return render(
        request,
        "workflows/enterprise/certificate.html",
        {"system": system, "ns": system.url_namespace, **certificate_context(certificate)},
    )


@system_module
def certificate_print(request, number: str, *, system):
    certificate = get_object_or_404(
        documents.certificates_for_filer(request.user, system.key), number=number
    )
    return pdf_response(document_services.certificate_pdf(certificate), f"{certificate.number}.pdf")


@system_module
def declaration(request, declaration: str, *, system):
    rows = list(
        customs_selectors.write_offs_for_filer(request.user, system.key)
        .filter(declaration_number=declaration)
        .select_related("certificate", "line")
    )
    if not rows:
        raise Http404
    return render(
        request,
        "workflows/enterprise/declaration.html",
        {"system": system, "ns": system.url_namespace, "write_offs": rows, "first": rows[0]},
    )


# --- versioned records: change (变更), its draft, the submitted versions ---------------------


@require_POST
@system_module
def change(request, number: str, *, system):
    """变更 a submitted record, or drop the change (``discard``)."""
    filing = filing_for_filer(request.user, system.key, number)
    discard = request.POST.get("discard") == "1"
    try:
        if discard:
            services.discard_change(filing=filing, actor=request.user, request=request)
            messages.success(request, _("The change was discarded; the submitted version stays."))
        else:
            services.start_change(filing=filing, actor=request.user, request=request)
            messages.success(
                request,
                _("Change the record and submit it; until then the submitted version stays."),
            )
    except AlreadyHandled as error:
        messages.error(request, str(error))
    return _url(system, "detail", number)


def version_facts(system, obj) -> list:
    return [(c.label, c.of(obj)) for c in system.header_columns if c.applies(obj)]


@system_module
def version(request, number: str, revision_id: int, *, system):
    """One submitted version as it was submitted."""
    filing = filing_for_filer(request.user, system.key, number)
    found = versions.submitted_versions(filing)
    shown = versions.pick(found, revision_id)
    return render(
        request,
        "workflows/enterprise/version.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "application": filing,
            "version": shown,
            "facts": version_facts(system, shown.as_object()),
            "versions": found,
        },
    )


@system_module
def compare_versions(request, number: str, *, system):
    filing = filing_for_filer(request.user, system.key, number)
    found = versions.submitted_versions(filing)
    before, after, result = versions.comparison(found, request.GET, system.header_columns)
    return render(
        request,
        "workflows/enterprise/compare.html",
        {
            "system": system,
            "ns": system.url_namespace,
            "application": filing,
            "before": before,
            "after": after,
            "comparison": result,
            "versions": found,
        },
    )
