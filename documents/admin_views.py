"""Document printing for approvers (seed 000 §4.4.2 and §4.5): notices, sign-off
sheets, certificates with their print layout, exports and the jobs behind them."""

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.reference.models import Authority
from workflows import drug_permit as dp

from . import filters, jobs, layout, selectors, services
from .models import (
    CertificateStatus,
    DocumentJob,
    DrugPermitStatus,
    NoticeKind,
    PrintRecord,
)
from .views import pdf_response


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    """Approvers and authority administrators, on their own authority's documents."""

    def dispatch(self, request, *args, **kwargs):
        self.authority_id = selectors.authority_id_of(request.user)
        if self.authority_id is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


def _batch(request, *, documents: str, keys: list, mode: str = PrintRecord.Mode.FULL):
    """Print one document straight away, several as a job with a progress bar."""
    keys = [k for k in dict.fromkeys(keys) if k][: jobs.MAX_BATCH_DOCUMENTS + 1]
    if not keys:
        messages.error(request, _("Select at least one row."))
        return None
    if len(keys) > jobs.MAX_BATCH_DOCUMENTS:
        messages.error(
            request, _("Print at most %(n)d documents at once.") % {"n": jobs.MAX_BATCH_DOCUMENTS}
        )
        return None
    found = jobs.printable(request.user, documents, keys)
    if not found:
        messages.error(request, _("Select at least one row."))
        return None
    job = jobs.start(
        kind=DocumentJob.Kind.BATCH_PRINT,
        owner=request.user,
        params={"documents": documents, "keys": keys, "mode": mode},
        total=len(found),
    )
    return redirect("documents_job", job.pk)


def _export(request, *, kind: str, list_name: str):
    selected = [k for k in request.POST.getlist("selected") if k]
    if selected:
        params = {"selected": selected}
    else:
        params = {"filters": filters.clean(list_name, request.POST)}
    count = jobs.export_count(kind, request.user, params)
    if count > jobs.INLINE_EXPORT_ROWS:
        job = jobs.start(kind=kind, owner=request.user, params=params, total=count)
        return redirect("documents_job", job.pk)
    scratch = tempfile.TemporaryFile()
    jobs.write_export(kind, request.user, params, scratch)
    scratch.seek(0)
    return FileResponse(scratch, as_attachment=True, filename=jobs.export_file_name(kind))


NUMBER = ("number", gettext_lazy("Number"), "text", None)
APPLICATION = ("application", gettext_lazy("Application number"), "text", None)
ENTERPRISE = ("enterprise", gettext_lazy("Enterprise"), "text", None)
DATE_FROM = ("date_from", gettext_lazy("Date from"), "date", None)
DATE_TO = ("date_to", gettext_lazy("to"), "date", None)


class ListView(StaffView):
    """A filtered, paginated list; subclasses define ``filtered()`` (their scoped query)."""

    list_name = ""
    per_page = 50
    filter_spec = ()
    printable = ""  # which documents "print selected" prints (see jobs.PRINTABLE)

    def post(self, request, *args, **kwargs):
        keys = request.POST.getlist("selected")
        response = _batch(request, documents=self.printable, keys=keys)
        return response or redirect(request.get_full_path())

    def filter_fields(self):
        return [
            {
                "name": name,
                "label": label,
                "type": kind,
                "choices": choices,
                "value": self.request.GET.get(name, ""),
            }
            for name, label, kind, choices in self.filter_spec
        ]

    def get_context_data(self, **kwargs):
        page = Paginator(self.filtered(), self.per_page).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "query": query.urlencode(),
            "filters": filters.clean(self.list_name, self.request.GET),
            "filter_fields": self.filter_fields(),
        }


class NoticeListView(ListView):
    """通知书打印: every notice the authority sent, to print for the enterprise."""

    template_name = "documents/admin/notice_list.html"
    header_icon = "doc-full"
    page_title = gettext_lazy("Notice printing")
    list_name = "notices"
    printable = "notice"
    filter_spec = (
        NUMBER,
        ("kind", gettext_lazy("Notice type"), "select", NoticeKind.choices),
        APPLICATION,
        DATE_FROM,
        DATE_TO,
    )

    def filtered(self):
        qs = selectors.notices_for_authority(self.request.user).select_related(
            "application__enterprise"
        )
        return filters.notices(qs, self.request.GET)


class SignOffListView(ListView):
    """签批单打印: the approval flow sheet of each application, for the file."""

    template_name = "documents/admin/sign_off_list.html"
    header_icon = "list-ul"
    page_title = gettext_lazy("Sign-off sheet printing")
    list_name = "applications"
    printable = "sign_off"
    filter_spec = (
        ("number", gettext_lazy("Application number"), "text", None),
        ("status", gettext_lazy("Status"), "select", DrugPermitStatus.choices),
        ENTERPRISE,
        DATE_FROM,
        DATE_TO,
    )

    def filtered(self):
        qs = (
            selectors.drug_permits_for_authority(self.request.user)
            .exclude(status=DrugPermitStatus.PENDING_ACCEPTANCE)
            .select_related("enterprise")
            .order_by("-submitted_at", "-pk")
        )
        return filters.applications(qs, self.request.GET)


class CertificateListView(ListView):
    """证书查询: print (full or on pre-printed paper), export, void."""

    template_name = "documents/admin/certificate_list.html"
    header_icon = "doc-full-inverse"
    page_title = gettext_lazy("Certificate query")
    list_name = "certificates"
    filter_spec = (
        ("number", gettext_lazy("Certificate number"), "text", None),
        APPLICATION,
        ENTERPRISE,
        ("status", gettext_lazy("Certificate status"), "select", CertificateStatus.choices),
        DATE_FROM,
        DATE_TO,
    )

    def filtered(self):
        qs = selectors.certificates_for_authority(self.request.user).select_related("application")
        return filters.certificates(qs, self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificates = list(context["page"])
        counts = {}
        for record in PrintRecord.objects.filter(
            kind=PrintRecord.Kind.CERTIFICATE, object_id__in=[str(c.pk) for c in certificates]
        ).values_list("object_id", flat=True):
            counts[record] = counts.get(record, 0) + 1
        for certificate in certificates:
            certificate.print_count = counts.get(str(certificate.pk), 0)
        return {
            **context,
            "certificates": certificates,
            "can_void": hasattr(self.request.user, "approver_seat"),
        }

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "export":
            return _export(
                request, kind=DocumentJob.Kind.CERTIFICATE_EXPORT, list_name=self.list_name
            )
        if action == "send":
            return self.send_to_customs(request)
        if action in ("print", "print_overlay"):
            selected = request.POST.getlist("selected")
            mode = PrintRecord.Mode.OVERLAY if action == "print_overlay" else PrintRecord.Mode.FULL
            if len(selected) == 1:
                url = reverse("documents_certificate_pdf", args=[selected[0]])
                return redirect(f"{url}?mode={mode}")
            return _batch(request, documents="certificate", keys=selected, mode=mode) or redirect(
                request.get_full_path()
            )
        messages.error(request, _("Choose an action."))
        return redirect(request.get_full_path())

    def send_to_customs(self, request):
        """完成并发往海关: every selected certificate, each in its own transaction."""
        from customs import services as customs

        numbers = request.POST.getlist("selected")
        certificates = list(self.filtered().filter(number__in=numbers))
        if not certificates:
            messages.error(request, _("Select at least one row."))
            return redirect(request.get_full_path())
        sent, refused = customs.send_certificates(
            certificates=certificates, actor=request.user, request=request
        )
        if sent:
            messages.success(
                request,
                _("Sent to customs: %(numbers)s. The status changes when customs answers.")
                % {"numbers": "、".join(sent)},
            )
        for _number, reason in refused:
            messages.error(request, reason)
        return redirect(request.get_full_path())


def export_applications(request):
    """申请单查询 → 导出: the selected applications, or every match of the search."""
    if request.method != "POST" or selectors.authority_id_of(request.user) is None:
        raise PermissionDenied
    return _export(request, kind=DocumentJob.Kind.APPLICATION_EXPORT, list_name="applications")


def notice_pdf(request, pk: int):
    notice = get_object_or_404(selectors.notices_for_authority(request.user), pk=pk)
    services.record_print(kind=PrintRecord.Kind.NOTICE, document=notice, actor=request.user)
    return pdf_response(services.notice_pdf(notice), f"notice-{notice.pk}.pdf")


def sign_off_pdf(request, number: str):
    application = get_object_or_404(
        selectors.drug_permits_for_authority(request.user), number=number
    )
    services.record_print(kind=PrintRecord.Kind.SIGN_OFF, document=application, actor=request.user)
    return pdf_response(services.sign_off_pdf(application), f"sign-off-{application.number}.pdf")


def certificate_pdf(request, number: str):
    certificate = get_object_or_404(
        selectors.certificates_for_authority(request.user).select_related("application"),
        number=number,
    )
    mode = request.GET.get("mode")
    if mode not in PrintRecord.Mode.values:
        mode = PrintRecord.Mode.FULL
    services.record_print(
        kind=PrintRecord.Kind.CERTIFICATE, document=certificate, actor=request.user, mode=mode
    )
    return pdf_response(
        services.certificate_pdf(certificate, mode=mode), f"{certificate.number}.pdf"
    )


class NoticeView(StaffView):
    """The notice a decision just produced, ready to print (通知书打印界面)."""

    template_name = "documents/admin/notice.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.notice = get_object_or_404(
            selectors.notices_for_authority(request.user).select_related("application"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.notice)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "notice": self.notice}


class CertificateVoidView(StaffView):
    """作废: with a reason and a confirmation; after issue or after sending."""

    template_name = "documents/admin/certificate_void.html"
    header_icon = "bin"
    page_title = gettext_lazy("Void a certificate")

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            selectors.certificates_for_authority(request.user),
            number=kwargs["number"],
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        reason = request.POST.get("reason", "")
        try:
            dp.void_certificate(
                certificate=self.certificate, actor=request.user, reason=reason, request=request
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(error=" ".join(error.messages), reason=reason)
            )
        except dp.AlreadyHandled as error:
            messages.error(request, str(error))
            return redirect("documents_certificates")
        messages.success(
            request, _("Certificate %(number)s is void.") % {"number": self.certificate.number}
        )
        return redirect("documents_certificates")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "certificate": self.certificate}


class CertificateLayoutView(StaffView):
    """套打设置: each field's position and font size on the authority's paper."""

    template_name = "documents/admin/certificate_layout.html"
    header_icon = "cog"
    page_title = gettext_lazy("Certificate print layout")

    def sample(self):
        return (
            selectors.certificates_for_authority(self.request.user)
            .select_related("application")
            .order_by("-created_at")
            .first()
        )

    def post(self, request, *args, **kwargs):
        authority = Authority.objects.get(pk=self.authority_id)
        if request.POST.get("action") == "preview":
            sample = self.sample()
            if sample is None:
                messages.error(request, _("There is no certificate yet to preview with."))
                return redirect(request.path)
            values = {
                name: {key: request.POST.get(f"{name}-{key}") for key in ("x", "y", "size")}
                for name in layout.DEFAULT_LAYOUT
            }
            return pdf_response(
                services.certificate_pdf(
                    sample, mode=PrintRecord.Mode.OVERLAY, layout=layout.resolve(values)
                ),
                "layout-preview.pdf",
            )
        try:
            services.save_certificate_layout(
                authority=authority, actor=request.user, values=request.POST
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return self.render_to_response(self.get_context_data(submitted=request.POST))
        messages.success(request, _("Layout applied: later prints use it."))
        return redirect(request.path)

    def get_context_data(self, **kwargs):
        submitted = kwargs.pop("submitted", None)
        authority = Authority.objects.get(pk=self.authority_id)
        current = services.certificate_layout(authority)
        sample = self.sample()
        values = services.certificate_values(sample) if sample else {}
        rows = []
        for name, spec in current.items():
            row = {"name": name, **spec}
            if submitted:  # what the user typed survives a failed apply
                for key in ("x", "y", "size"):
                    row[key] = submitted.get(f"{name}-{key}", spec[key])
            value = values.get(name) or spec["label"]
            if name == "goods" and values:
                value = " / ".join(values["goods"])
            if name == "verification":
                value = "XXXX-XXXX-XXXX"
            row["sample"] = value
            rows.append(row)
        return {
            **super().get_context_data(**kwargs),
            "rows": rows,
            "limits": layout.LIMITS,
            "has_sample": sample is not None,
        }


class JobView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "documents/admin/job.html"
    header_icon = "time"
    page_title = gettext_lazy("Preparing your file")

    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(selectors.jobs_of(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "job": self.job}


def job_status(request, pk: int):
    job = get_object_or_404(selectors.jobs_of(request.user), pk=pk)
    return JsonResponse(
        {
            "state": job.state,
            "state_label": job.get_state_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "download": reverse("documents_job_download", args=[job.pk])
            if job.state == DocumentJob.State.DONE
            else "",
        }
    )


def job_download(request, pk: int):
    job = get_object_or_404(selectors.jobs_of(request.user), pk=pk, state=DocumentJob.State.DONE)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=not job.file_name.endswith(".pdf"),
        filename=job.file_name,
    )
