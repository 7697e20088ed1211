"""Approver pages of the customs exchange (seed 000 §4.1, §4.4.2, §4.4.3)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from documents import selectors as documents
from documents.admin_views import DATE_FROM, DATE_TO, ListView, StaffView
from documents.models import CertificateStatus
from workflows.models import AuditEntry

from . import filters, selectors, services


def certificate_context(certificate) -> dict:
    """What the certificate pages show, for approvers and enterprises alike."""
    return {
        "certificate": certificate,
        "ledger": services.ledger(certificate),
        "revisions": certificate.revisions.select_related("changed_by"),
        "write_offs": certificate.write_offs.select_related("line"),
        "customs_messages": certificate.customs_messages.order_by("-created_at", "-pk"),
    }


class CertificateView(StaffView):
    """One certificate: lines with the write-off ledger, revisions, customs messages."""

    template_name = "customs/admin/certificate.html"
    header_icon = "doc-full-inverse"

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            documents.certificates_for_authority(request.user).select_related("application"),
            number=kwargs["number"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.certificate.number

    def get_context_data(self, **kwargs):
        certificate = self.certificate
        seat = hasattr(self.request.user, "approver_seat")
        return {
            **super().get_context_data(**kwargs),
            **certificate_context(certificate),
            "can_send": seat and can_proceed(certificate.send),
            "can_correct": seat and can_proceed(certificate.correct),
            "can_void": seat and certificate.status == CertificateStatus.ISSUED,
            "history": AuditEntry.objects.for_object(certificate).select_related("actor"),
        }

    def post(self, request, *args, **kwargs):
        from workflows.drug_permit import AlreadyHandled

        try:
            services.send_certificate(
                certificate=self.certificate, actor=request.user, request=request
            )
            messages.success(
                request, _("Sent to customs. The status changes when customs answers.")
            )
        except AlreadyHandled as error:
            messages.error(request, str(error))
        return redirect(request.path)


class CorrectView(StaffView):
    """改错: the allowed fields, a reason; a new revision to send again."""

    template_name = "customs/admin/correct.html"
    header_icon = "edit"
    page_title = gettext_lazy("Correct a certificate")

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            documents.certificates_for_authority(request.user), number=kwargs["number"]
        )
        if not hasattr(request.user, "approver_seat"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def initial(self) -> dict:
        certificate = self.certificate
        values = {
            "valid_until": certificate.valid_until.isoformat(),
            "ports": certificate.ports,
            "remarks": certificate.remarks,
        }
        for line in certificate.lines.all():
            values[f"line-{line.line_number}-specification"] = line.specification
            values[f"line-{line.line_number}-quantity"] = services.documents.quantity(line.quantity)
            values[f"line-{line.line_number}-manufacturer"] = line.manufacturer
        return values

    def post(self, request, *args, **kwargs):
        values = {key: request.POST.get(key, "") for key in self.initial()}
        try:
            services.correct_certificate(
                certificate=self.certificate,
                actor=request.user,
                values=values,
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
            return self.render_to_response(
                self.get_context_data(
                    values=values, errors=errors, reason=request.POST.get("reason", "")
                )
            )
        messages.success(
            request,
            _("Certificate %(number)s corrected. Send it to customs again.")
            % {"number": self.certificate.number},
        )
        return redirect("customs_certificate", self.certificate.number)

    def get_context_data(self, **kwargs):
        values = kwargs.pop("values", None) or self.initial()
        errors = kwargs.pop("errors", {})
        lines = [
            {
                "line": line,
                "fields": [
                    {
                        "name": f"line-{line.line_number}-{field}",
                        "label": label,
                        "value": values.get(f"line-{line.line_number}-{field}", ""),
                        "errors": errors.get(f"line-{line.line_number}-{field}", []),
                    }
                    for field, label in services.LINE_CORRECTABLE.items()
                ],
            }
            for line in self.certificate.lines.all()
        ]
        header = [
            {
                "name": field,
                "label": label,
                "value": values.get(field, ""),
                "errors": errors.get(field, []),
                "type": "date" if field == "valid_until" else "text",
            }
            for field, label in services.CORRECTABLE.items()
        ]
        return {
            **super().get_context_data(**kwargs),
            "certificate": self.certificate,
            "header": header,
            "lines": lines,
            "reason_errors": errors.get("reason", []),
            "form_errors": errors.get("", []) + errors.get("__all__", []),
        }


class WriteOffListView(ListView):
    """核销查询: what customs wrote off against the authority's certificates."""

    template_name = "customs/admin/write_off_list.html"
    header_icon = "list-ul"
    page_title = gettext_lazy("Write-off query")
    list_name = "write_offs"
    filter_spec = (
        ("certificate", gettext_lazy("Certificate number"), "text", None),
        ("declaration", gettext_lazy("Declaration number"), "text", None),
        DATE_FROM,
        DATE_TO,
        (
            "flagged",
            gettext_lazy("Beyond the remainder"),
            "select",
            [("1", gettext_lazy("Only flagged"))],
        ),
    )

    def filtered(self):
        qs = selectors.write_offs_for_authority(self.request.user).select_related(
            "certificate", "line"
        )
        return filters.write_offs(qs, self.request.GET)

    def post(self, request, *args, **kwargs):
        raise Http404


class DeclarationView(StaffView):
    """One customs declaration: every certificate line it wrote off."""

    template_name = "customs/admin/declaration.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.write_offs = list(
            selectors.write_offs_for_authority(request.user)
            .filter(declaration_number=kwargs["declaration"])
            .select_related("certificate", "line")
        )
        if not self.write_offs:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Declaration %(number)s") % {"number": self.write_offs[0].declaration_number}

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "write_offs": self.write_offs,
            "first": self.write_offs[0],
        }
