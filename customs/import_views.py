"""证书导入 pages: upload, progress, the records (valid pending, invalid with why), send."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.admin_views import StaffView
from portal.accounts.selectors import seat_of
from portal.pagination import paginate

from . import imports, selectors
from .models import ImportBatch


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Certificate file (XML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
        error_messages={"required": gettext_lazy("Choose the XML file to upload.")},
    )


class ImportView(StaffView):
    template_name = "customs/admin/imports.html"
    header_icon = "upload"
    page_title = gettext_lazy("Certificate import")

    def dispatch(self, request, *args, **kwargs):
        if seat_of(request.user, self.system.key) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = imports.upload(
                    actor=request.user,
                    system=self.system.key,
                    uploaded_file=form.cleaned_data["file"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                return redirect(self.url("import_batch", batch.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "form": kwargs.get("form") or UploadForm(),
            "batches": selectors.import_batches_for(self.request.user, self.system.key)[:20],
        }


class BatchView(StaffView):
    template_name = "customs/admin/import_batch.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.batch = get_object_or_404(
            selectors.import_batches_for(request.user, self.system.key), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.batch.original_name

    def post(self, request, *args, **kwargs):
        if seat_of(request.user, self.system.key) is None:
            raise PermissionDenied
        positions = [p for p in request.POST.getlist("selected") if p.isdigit()]
        records = list(self.batch.records.filter(position__in=positions, valid=True))
        if not records:
            messages.error(request, _("Select at least one valid record."))
            return redirect(request.get_full_path())
        sent, refused = imports.send_records(records=records, actor=request.user, request=request)
        if sent:
            messages.success(
                request,
                _("Sent to customs: %(numbers)s. The status changes when customs answers.")
                % {"numbers": "、".join(sent)},
            )
        for number, reason in refused:
            messages.error(request, f"{number}: {reason}")
        return redirect(request.get_full_path())

    def get_context_data(self, **kwargs):
        show = self.request.GET.get("show", "valid")
        records = self.batch.records.select_related("certificate")
        records = records.filter(valid=show != "invalid")
        page, problem = paginate(self.request, records, ("position",), per_page=100)
        return {
            **super().get_context_data(**kwargs),
            "batch": self.batch,
            "page": page,
            "problems": [problem] if problem else [],
            "show": show,
        }


def batch_status(request, pk: int, system=None):
    batch = get_object_or_404(selectors.import_batches_for(request.user, system.key), pk=pk)
    return JsonResponse(
        {
            "state": batch.state,
            "state_label": batch.get_state_display(),
            "percent": batch.percent,
            "done": batch.done,
            "valid": batch.valid_count,
            "invalid": batch.invalid_count,
            "finished": batch.state in (ImportBatch.State.DONE, ImportBatch.State.FAILED),
        }
    )
