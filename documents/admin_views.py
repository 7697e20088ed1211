"""Document pages for approvers and authority administrators (seed 000 §4.4.2 and §4.5):
notices, sign-off sheets, the certificate's print layout, exports and the jobs behind them.

Every view serves one filing system (``system``, given when the mechanism
builds the system's back-office URLs) and its user's authority in it.
"""

import tempfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from filings.filters import filing_filterset
from filings.models import ApprovalSettings
from filings.selectors import authority_id_for, filings_for_authority
from portal import files
from portal.pagination import paginate
from portal.reference.models import Authority

from . import jobs, layout, selectors, services
from .filters import NoticeFilter
from .models import DocumentJob, PrintRecord
from .views import pdf_response


class StaffView(WagtailAdminTemplateMixin, TemplateView):
    """Approvers and authority administrators, on their own authority's documents of one system.

    Until the authority saved its initial values for the system, every such page
    asks for them first (请先设置初始值).
    """

    system = None
    requires_settings = True
    settings_required_template = "workflows/admin/settings_required.html"

    def dispatch(self, request, *args, **kwargs):
        self.authority_id = authority_id_for(request.user, self.system.key)
        if self.authority_id is None:
            raise PermissionDenied
        if (
            self.requires_settings
            and not ApprovalSettings.objects.filter(
                authority_id=self.authority_id, system=self.system.key
            ).exists()
        ):
            return self.settings_required(request)
        return super().dispatch(request, *args, **kwargs)

    def settings_required(self, request):
        self.template_name = self.settings_required_template
        # Only the admin page frame: the page's own context may need the settings.
        context = WagtailAdminTemplateMixin.get_context_data(self)
        return self.render_to_response({**context, "system": self.system, "ns": self.ns})

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.system.admin_slug}:{name}", args=args)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_page_subtitle(self):
        return str(self.system.label)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "system": self.system, "ns": self.ns}

    @property
    def ns(self) -> str:
        return self.system.admin_slug


def start_batch(request, system, *, documents: str, keys: list, mode: str = PrintRecord.Mode.FULL):
    """Print the selected documents as one PDF, through a job with a progress bar."""
    keys = [k for k in dict.fromkeys(keys) if k][: jobs.MAX_BATCH_DOCUMENTS + 1]
    if not keys:
        messages.error(request, _("Select at least one row."))
        return None
    if len(keys) > jobs.MAX_BATCH_DOCUMENTS:
        messages.error(
            request, _("Print at most %(n)d documents at once.") % {"n": jobs.MAX_BATCH_DOCUMENTS}
        )
        return None
    found = jobs.printable(request.user, system, documents, keys)
    if not found:
        messages.error(request, _("Select at least one row."))
        return None
    job = jobs.start(
        kind=DocumentJob.Kind.BATCH_PRINT,
        owner=request.user,
        system=system,
        params={"documents": documents, "keys": keys, "mode": mode},
        total=len(found),
    )
    return redirect("documents_job", job.pk)


def start_export(
    request, system, *, kind: str, filters: dict, scope: str = "authority", every_version=False
):
    """The selected rows, or every match of the search: inline when small, else a job.
    ``scope`` says whose selector the job reads through; ``every_version``: one row per
    submitted version of a versioned record."""
    selected = [k for k in request.POST.getlist("selected") if k]
    params = {"selected": selected} if selected else {"filters": filters}
    params.update(scope=scope, every_version=bool(every_version))
    count = jobs.export_count(kind, request.user, system, params)
    if count > jobs.INLINE_EXPORT_ROWS:
        job = jobs.start(kind=kind, owner=request.user, system=system, params=params, total=count)
        return redirect("documents_job", job.pk)
    scratch = tempfile.TemporaryFile()
    jobs.write_export(kind, request.user, system, params, scratch)
    scratch.seek(0)
    return files.download(scratch, jobs.export_file_name(kind))


class ListView(StaffView):
    """A filtered list paged by keyset; subclasses give ``scoped()``, the filters and the order."""

    filterset_class = None
    ordering = ("-pk",)
    per_page = 50
    printable = ""  # which documents "print selected" prints (see jobs.PRINTABLE)

    def get_filterset_class(self):
        return self.filterset_class

    def filterset(self):
        if not hasattr(self, "_filterset"):
            data = self.request.GET if self.request.method == "GET" else self.request.POST
            self._filterset = self.get_filterset_class()(data or None, queryset=self.scoped())
        return self._filterset

    def post(self, request, *args, **kwargs):
        keys = request.POST.getlist("selected")
        response = start_batch(request, self.system, documents=self.printable, keys=keys)
        return response or redirect(request.get_full_path())

    def get_context_data(self, **kwargs):
        filterset = self.filterset()
        page, problem = paginate(self.request, filterset.qs, self.ordering, per_page=self.per_page)
        problems = filterset.problems + ([problem] if problem else [])
        return {
            **super().get_context_data(**kwargs),
            "page": page,
            "filterset": filterset,
            "filters": filterset.active,
            "problems": problems,
        }


class NoticeListView(ListView):
    """通知书打印: every notice the authority sent in this system, to print."""

    template_name = "documents/admin/notice_list.html"
    header_icon = "doc-full"
    page_title = gettext_lazy("Notice printing")
    filterset_class = NoticeFilter
    ordering = ("-created_at", "-pk")
    printable = "notice"

    def scoped(self):
        return selectors.notices_for_authority(self.request.user, self.system.key).select_related(
            "filing__enterprise"
        )


class SignOffListView(ListView):
    """签批单打印: the approval flow sheet of each application decided so far, for the file."""

    template_name = "documents/admin/sign_off_list.html"
    header_icon = "list-ul"
    page_title = gettext_lazy("Sign-off sheet printing")
    ordering = ("-submitted_at", "-id")
    printable = "sign_off"

    def get_filterset_class(self):
        return filing_filterset(self.system.key, "authority")

    def scoped(self):
        first = self.system.stages[0].state if self.system.stages else None
        return (
            filings_for_authority(self.request.user, self.system.key)
            .exclude(status=first)
            .select_related("enterprise")
        )


def notice_pdf(request, pk: int, system=None):
    notice = get_object_or_404(selectors.notices_for_authority(request.user, system.key), pk=pk)
    services.record_print(kind=PrintRecord.Kind.NOTICE, document=notice, actor=request.user)
    return pdf_response(services.notice_pdf(notice), f"notice-{notice.pk}.pdf")


def sign_off_pdf(request, number: str, system=None):
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    services.record_print(kind=PrintRecord.Kind.SIGN_OFF, document=filing, actor=request.user)
    return pdf_response(services.sign_off_pdf(filing), f"sign-off-{filing.number}.pdf")


def certificate_pdf(request, number: str, system=None):
    certificate = get_object_or_404(
        selectors.certificates_for_authority(request.user, system.key), number=number
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
            selectors.notices_for_authority(request.user, self.system.key).select_related("filing"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.notice)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "notice": self.notice}


class CertificateLayoutView(StaffView):
    """套打设置: each field's position and font size on the authority's paper."""

    template_name = "documents/admin/certificate_layout.html"
    header_icon = "cog"
    page_title = gettext_lazy("Certificate print layout")

    def sample(self):
        return (
            selectors.certificates_for_authority(self.request.user, self.system.key)
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
                for name in self.system.certificate_layout
            }
            return pdf_response(
                services.certificate_pdf(
                    sample,
                    mode=PrintRecord.Mode.OVERLAY,
                    layout=layout.resolve(self.system.certificate_layout, values),
                ),
                "layout-preview.pdf",
            )
        try:
            services.save_certificate_layout(
                authority=authority, system=self.system.key, actor=request.user, values=request.POST
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
        current = services.certificate_layout(authority, self.system.key)
        sample = self.sample()
        values = services.certificate_values(sample) if sample else {}
        rows = []
        for name, spec in current.items():
            row = {"name": name, **spec}
            if submitted:  # what the user typed survives a failed apply
                for key in ("x", "y", "size"):
                    row[key] = submitted.get(f"{name}-{key}", spec[key])
            value = values.get(name) or spec["label"]
            if isinstance(value, list):
                value = " / ".join(value)
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
    return files.download(job.file.open("rb"), job.file_name, inline=job.file_name.endswith(".pdf"))
