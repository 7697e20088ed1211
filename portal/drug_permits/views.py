"""The enterprise side of the drug import/export permit (seed 001)."""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from documents import selectors
from documents import services as documents
from documents.models import Direction, DrugPermitStatus
from documents.models import DrugPermitStatus as S
from documents.views import pdf_response
from portal.accounts.views import enterprise_required
from portal.reference.models import Module
from workflows import drug_permit as dp
from workflows.models import AuditEntry
from workflows.selectors import authorities_accepting

from .forms import AttachmentForm, GoodsLineForm, HeaderForm


def drug_permit_module(view):
    """Only users granted the module, of an enterprise with its trade registration."""

    @wraps(view)
    @enterprise_required()
    def wrapped(request, *args, **kwargs):
        membership = request.membership
        if Module.DRUG_PERMIT not in membership.granted_modules():
            raise PermissionDenied
        if not membership.enterprise.has_trade_registration:
            return render(request, "drug_permits/no_trade_registration.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@drug_permit_module
def application_list(request):
    qs = (
        selectors.drug_permits_for_filer(request.user)
        .select_related("authority", "certificate")
        .prefetch_related("notices")
    )
    f = request.GET
    if f.get("number"):
        qs = qs.filter(number__icontains=f["number"].strip())
    if f.get("status") in S.values:
        qs = qs.filter(status=f["status"])
    if f.get("direction") in Direction.values:
        qs = qs.filter(direction=f["direction"])
    if f.get("authority"):
        qs = qs.filter(authority__code=f["authority"])
    if f.get("date_from"):
        qs = qs.filter(created_at__date__gte=f["date_from"])
    if f.get("date_to"):
        qs = qs.filter(created_at__date__lte=f["date_to"])
    page = Paginator(qs.order_by("-created_at"), 20).get_page(f.get("page"))
    return render(
        request,
        "drug_permits/list.html",
        {
            "page": page,
            "statuses": DrugPermitStatus.choices,
            "directions": Direction.choices,
            "authorities": authorities_accepting(module=Module.DRUG_PERMIT),
        },
    )


@require_POST
@drug_permit_module
def list_action(request):
    """Copy (exactly one), delete (drafts, confirmed) or withdraw the selected filings."""
    numbers = request.POST.getlist("selected")
    action = request.POST.get("action")
    if not numbers:
        messages.error(request, _("Select an application first."))
        return redirect("drug_permits:list")
    applications = [selectors.drug_permit_for_filer(request.user, n) for n in numbers]
    try:
        if action == "copy":
            if len(applications) != 1:
                raise ValidationError(_("Select exactly one application to copy."))
            copy = dp.copy_application(application=applications[0], actor=request.user)
            messages.success(request, _("Copied as %(number)s.") % {"number": copy.number})
            return redirect("drug_permits:detail", number=copy.number)
        if action == "delete":
            for application in applications:
                dp.delete_draft(application=application, actor=request.user)
            messages.success(request, _("Deleted."))
        elif action == "withdraw":
            for application in applications:
                dp.request_withdrawal(application=application, actor=request.user, request=request)
            messages.success(request, _("Withdrawal requested; the authority reviews it."))
    except ValidationError as error:
        _errors(request, error)
    except dp.AlreadyHandled:
        messages.error(
            request,
            _("Only applications pending acceptance can be withdrawn."),
        )
    return redirect("drug_permits:list")


@drug_permit_module
def create(request):
    direction = request.GET.get("direction", Direction.IMPORT)
    if direction not in Direction.values:
        raise Http404
    enterprise = request.membership.enterprise
    form = HeaderForm(
        request.POST or None,
        direction=direction,
        # As the seed has it: taken from the enterprise's record, editable.
        initial={"applicant_name_en": enterprise.name_en},
    )
    if request.method == "POST" and form.is_valid():
        application = dp.create_draft(
            actor=request.user, values={**form.cleaned_data, "direction": direction}
        )
        messages.success(
            request,
            _("Saved as %(number)s. Add the goods lines and attachments next.")
            % {"number": application.number},
        )
        return redirect("drug_permits:detail", number=application.number)
    return render(request, "drug_permits/create.html", {"form": form, "direction": direction})


@drug_permit_module
def detail(request, number: str):
    application = selectors.drug_permit_for_filer(request.user, number)
    editable = application.status in dp.EDITABLE
    lines = list(application.goods_lines.select_related("hs_code", "dosage_form", "country"))
    posted = request.POST if request.method == "POST" and editable else None
    header = HeaderForm(
        posted, instance=application, direction=application.direction, status=application.status
    )
    copy_from = next((g for g in lines if str(g.pk) == request.GET.get("copy")), None)
    adding_line = bool(posted and posted.get("form") in ("line", "line_add"))
    line_form = GoodsLineForm(
        posted if adding_line else None,
        first_line=lines[0] if lines else None,
        initial=_line_initial(copy_from),
    )
    if posted:
        # One form holds the header and the new goods line: adding a line saves
        # the header too (as the seed's 新增 does), so no typing is lost.
        header_ok = header.is_valid()
        line_ok = line_form.is_valid() if adding_line else True
        if header_ok and line_ok:
            try:
                with transaction.atomic():
                    dp.update_draft(
                        application=application, actor=request.user, values=header.cleaned_data
                    )
                    if not adding_line:
                        messages.success(request, _("Saved."))
                        return redirect("drug_permits:detail", number=number)
                    line = dp.add_goods_line(
                        application=application, actor=request.user, values=line_form.cleaned_data
                    )
                messages.success(request, _("Goods line %(n)s saved.") % {"n": line.line_number})
                url = redirect("drug_permits:detail", number=number).url
                if posted.get("form") == "line_add":
                    return redirect(f"{url}?copy={line.pk}#goods")
                return redirect(url + "#goods")
            except ValidationError as error:
                _errors(request, error)
    attachments = list(dp.attachments_of(application).select_related("attachment_type"))
    by_type = {a.attachment_type_id: a for a in attachments}
    return render(
        request,
        "drug_permits/detail.html",
        {
            "application": application,
            "editable": editable,
            "header": header,
            "lines": lines,
            "line_form": line_form,
            "can_add_line": editable and len(lines) < 4,
            "attachment_rows": [
                (t, by_type.get(t.pk)) for t in application.purpose.attachment_types.all()
            ],
            "attachment_form": AttachmentForm(),
            "history": AuditEntry.objects.for_object(application).select_related("actor"),
            "certificate": getattr(application, "certificate", None),
            "notices": selectors.notices_for_filer(request.user, application),
        },
    )


def _line_initial(line) -> dict:
    if line is None:
        return {}
    return {
        f.name: getattr(line, f.attname)
        for f in line._meta.concrete_fields
        if f.name not in ("id", "application", "line_number")
    }


@require_POST
@drug_permit_module
def delete_line(request, number: str, line_id: int):
    application = selectors.drug_permit_for_filer(request.user, number)
    line = get_object_or_404(application.goods_lines, pk=line_id)
    try:
        dp.delete_goods_line(application=application, actor=request.user, line=line)
        messages.success(request, _("Goods line deleted."))
    except ValidationError as error:
        _errors(request, error)
    return redirect("drug_permits:detail", number=number)


@require_POST
@drug_permit_module
def upload(request, number: str, type_id: int):
    application = selectors.drug_permit_for_filer(request.user, number)
    attachment_type = get_object_or_404(application.purpose.attachment_types, pk=type_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a PDF file to upload."))
    else:
        try:
            dp.upload_attachment(
                application=application,
                actor=request.user,
                attachment_type=attachment_type,
                uploaded_file=form.cleaned_data["file"],
            )
            messages.success(request, _("Uploaded."))
        except ValidationError as error:
            _errors(request, error)
    return redirect(redirect("drug_permits:detail", number=number).url + "#attachments")


@require_POST
@drug_permit_module
def delete_attachment(request, number: str, attachment_id: int):
    application = selectors.drug_permit_for_filer(request.user, number)
    attachment = get_object_or_404(dp.attachments_of(application), pk=attachment_id)
    try:
        dp.delete_attachment(application=application, actor=request.user, attachment=attachment)
        messages.success(request, _("Attachment deleted."))
    except ValidationError as error:
        _errors(request, error)
    return redirect(redirect("drug_permits:detail", number=number).url + "#attachments")


@drug_permit_module
def download_attachment(request, number: str, attachment_id: int):
    application = selectors.drug_permit_for_filer(request.user, number)
    return dp.attachment_download(application, attachment_id)


@require_POST
@drug_permit_module
def submit(request, number: str):
    application = selectors.drug_permit_for_filer(request.user, number)
    try:
        if application.status == S.SUPPLEMENT_REQUIRED:
            dp.resubmit(application=application, actor=request.user, request=request)
        else:
            dp.submit(application=application, actor=request.user, request=request)
        messages.success(
            request, _("Submitted to %(authority)s.") % {"authority": application.authority.name_zh}
        )
    except ValidationError as error:
        _errors(request, error)
    except dp.AlreadyHandled as error:
        messages.error(request, str(error))
    return redirect("drug_permits:detail", number=number)


# --- documents: the application form to stamp, notices, the certificate ---------


@drug_permit_module
def application_form(request, number: str):
    """The application form as a PDF, printable from a saved draft on."""
    application = selectors.drug_permit_for_filer(request.user, number)
    return pdf_response(
        documents.application_form_pdf(application), f"application-{application.number}.pdf"
    )


@drug_permit_module
def notice_pdf(request, number: str, notice_id: int):
    application = selectors.drug_permit_for_filer(request.user, number)
    notice = get_object_or_404(selectors.notices_for_filer(request.user, application), pk=notice_id)
    return pdf_response(documents.notice_pdf(notice), f"notice-{notice.pk}.pdf")


@drug_permit_module
def certificate_pdf(request, number: str):
    application = selectors.drug_permit_for_filer(request.user, number)
    certificate = getattr(application, "certificate", None)
    if certificate is None:
        raise Http404
    return pdf_response(documents.certificate_pdf(certificate), f"{certificate.number}.pdf")


# --- certificates and write-offs (核销查询) ---------------------------------------


@drug_permit_module
def write_offs(request):
    from customs import filters as customs_filters
    from customs import selectors as customs_selectors

    qs = customs_selectors.write_offs_for_filer(request.user).select_related("certificate", "line")
    page = Paginator(customs_filters.write_offs(qs, request.GET), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "drug_permits/write_offs.html", {"page": page})


@drug_permit_module
def certificate_detail(request, number: str):
    from customs.admin_views import certificate_context

    certificate = get_object_or_404(selectors.certificates_for_filer(request.user), number=number)
    return render(
        request,
        "drug_permits/certificate.html",
        certificate_context(certificate),
    )


@drug_permit_module
def certificate_print(request, number: str):
    certificate = get_object_or_404(selectors.certificates_for_filer(request.user), number=number)
    return pdf_response(documents.certificate_pdf(certificate), f"{certificate.number}.pdf")


@drug_permit_module
def declaration(request, declaration: str):
    from customs import selectors as customs_selectors

    rows = list(
        customs_selectors.write_offs_for_filer(request.user)
        .filter(declaration_number=declaration)
        .select_related("certificate", "line")
    )
    if not rows:
        raise Http404
    return render(request, "drug_permits/declaration.html", {"write_offs": rows, "first": rows[0]})
