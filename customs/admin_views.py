"""Approver pages of certificates and the customs exchange (seed 000 §4.1, §4.4.2, §4.4.3):
the certificate query (print, export, send, void), one certificate with its ledger,
corrections and messages, 改错, and the write-off queries.  One filing system each."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from documents import selectors as documents
from documents import services as document_services
from documents.admin_views import ListView, StaffView, start_batch, start_export
from documents.filters import CertificateFilter
from documents.models import CertificateStatus, DocumentJob, PrintRecord
from filings import audit
from filings.runner import AlreadyHandled
from portal.accounts.selectors import seat_of

from . import conflicts, selectors, services
from .filters import DeadLetterFilter, WriteOffFilter


def certificate_context(certificate) -> dict:
    """What the certificate pages show, for approvers and enterprises alike."""
    return {
        "certificate": certificate,
        "ledger": services.ledger(certificate),
        "corrections": document_services.certificate_changes(certificate),
        "write_offs": certificate.write_offs.select_related("line"),
        "customs_messages": certificate.customs_messages.order_by("-created_at", "-pk"),
        "conflicts": conflicts.open_conflicts(certificate),
    }


def send_and_report(request, certificates, done: str):
    """Send the chosen certificates (each in its own transaction) and say, per certificate,
    what was sent and why the rest were not; back to the same list."""
    if not certificates:
        messages.error(request, _("Select at least one row."))
        return redirect(request.get_full_path())
    sent, refused = services.send_certificates(
        certificates=certificates, actor=request.user, request=request
    )
    if sent:
        messages.success(request, done % {"numbers": "、".join(sent)})
    for _number, reason in refused:
        messages.error(request, reason)
    return redirect(request.get_full_path())


class CertificateListView(ListView):
    """证书查询: print (full or on pre-printed paper), export, send to customs, void."""

    template_name = "customs/admin/certificate_list.html"
    header_icon = "doc-full-inverse"
    page_title = gettext_lazy("Certificate query")
    filterset_class = CertificateFilter
    ordering = ("-issue_date", "-pk")

    def scoped(self):
        return documents.certificates_for_authority(
            self.request.user, self.system.key
        ).select_related("filing")

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
            "can_act": seat_of(self.request.user, self.system.key) is not None,
            "sends_to_customs": self.system.sends_to_customs,
        }

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "export":
            return start_export(
                request,
                self.system,
                kind=DocumentJob.Kind.CERTIFICATE_EXPORT,
                filters=self.filterset().active,
            )
        if action == "send" and self.system.sends_to_customs:
            return self.send_to_customs(request)
        if action in ("print", "print_overlay"):
            selected = request.POST.getlist("selected")
            mode = PrintRecord.Mode.OVERLAY if action == "print_overlay" else PrintRecord.Mode.FULL
            if len(selected) == 1:
                return redirect(f"{self.url('certificate_pdf', selected[0])}?mode={mode}")
            return start_batch(
                request, self.system, documents="certificate", keys=selected, mode=mode
            ) or redirect(request.get_full_path())
        messages.error(request, _("Choose an action."))
        return redirect(request.get_full_path())

    def send_to_customs(self, request):
        """完成并发往海关: every selected certificate, each in its own transaction."""
        numbers = request.POST.getlist("selected")
        certificates = list(self.scoped().filter(number__in=numbers))
        return send_and_report(
            request,
            certificates,
            _("Sent to customs: %(numbers)s. The status changes when customs answers."),
        )


class CertificateView(StaffView):
    """One certificate: lines with the write-off ledger, corrections, customs messages."""

    template_name = "customs/admin/certificate.html"
    header_icon = "doc-full-inverse"

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            documents.certificates_for_authority(request.user, self.system.key).select_related(
                "filing"
            ),
            number=kwargs["number"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.certificate.number

    def get_context_data(self, **kwargs):
        certificate = self.certificate
        seat = seat_of(self.request.user, self.system.key) is not None
        return {
            **super().get_context_data(**kwargs),
            **certificate_context(certificate),
            "can_send": seat and self.system.sends_to_customs and can_proceed(certificate.send),
            "can_correct": seat and can_proceed(certificate.correct),
            "can_void": seat and certificate.status == CertificateStatus.ISSUED,
            "history": audit.history(certificate),
            "can_resolve": conflicts.may_resolve(certificate, self.request.user),
        }

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "resolve_conflict":
            return self.resolve_conflict(request)
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

    def resolve_conflict(self, request):
        """Keep or replace, with a reason and a confirmation; the service runs the rules."""
        conflict = self.certificate.customs_conflicts.filter(
            pk=request.POST.get("conflict", "") if request.POST.get("conflict", "").isdigit() else 0
        ).first()
        if conflict is None:
            messages.error(request, _("Choose a conflict of this certificate."))
            return redirect(request.path)
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Confirm the decision to resolve the conflict."))
            return redirect(request.path)
        try:
            conflicts.resolve(
                conflict=conflict,
                actor=request.user,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                request=request,
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect(request.path)
        except PermissionDenied:
            messages.error(request, _("Only an approver of this authority may resolve it."))
            return redirect(request.path)
        messages.success(request, _("The conflict is resolved."))
        return redirect(request.path)


class CorrectView(StaffView):
    """改错: the allowed fields, a reason; a new revision to send again."""

    template_name = "customs/admin/correct.html"
    header_icon = "edit"
    page_title = gettext_lazy("Correct a certificate")

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            documents.certificates_for_authority(request.user, self.system.key),
            number=kwargs["number"],
        )
        if seat_of(request.user, self.system.key) is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        values = {
            key: request.POST.get(key, "") for key in services.correctable_values(self.certificate)
        }
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
        except AlreadyHandled as error:
            messages.error(request, str(error))
            return redirect(self.url("certificate", self.certificate.number))
        messages.success(
            request,
            _("Certificate %(number)s corrected. Send it to customs again.")
            % {"number": self.certificate.number},
        )
        return redirect(self.url("certificate", self.certificate.number))

    def get_context_data(self, **kwargs):
        values = kwargs.pop("values", None) or services.correctable_values(self.certificate)
        errors = kwargs.pop("errors", {})
        lines = [
            {
                "line": line,
                "fields": [
                    {
                        "name": f"line-{line.line_number}-{key}",
                        "label": label,
                        "value": values.get(f"line-{line.line_number}-{key}", ""),
                        "errors": errors.get(f"line-{line.line_number}-{key}", []),
                    }
                    for key, label in self.system.correctable_line_fields.items()
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
            for field, label in self.system.correctable_fields.items()
        ]
        return {
            **super().get_context_data(**kwargs),
            "certificate": self.certificate,
            "header": header,
            "lines": lines,
            "reason": kwargs.get("reason", ""),
            "reason_errors": errors.get("reason", []),
            "form_errors": errors.get("", []) + errors.get("__all__", []),
        }


class CertificateVoidView(StaffView):
    """作废: with a reason and a confirmation; after issue or after sending."""

    template_name = "customs/admin/certificate_void.html"
    header_icon = "bin"
    page_title = gettext_lazy("Void a certificate")

    def dispatch(self, request, *args, **kwargs):
        self.certificate = get_object_or_404(
            documents.certificates_for_authority(request.user, self.system.key),
            number=kwargs["number"],
        )
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        reason = request.POST.get("reason", "")
        try:
            services.void_certificate(
                certificate=self.certificate, actor=request.user, reason=reason, request=request
            )
        except ValidationError as error:
            return self.render_to_response(
                self.get_context_data(error=" ".join(error.messages), reason=reason)
            )
        except AlreadyHandled as error:
            messages.error(request, str(error))
            return redirect(self.url("certificates"))
        messages.success(
            request, _("Certificate %(number)s is void.") % {"number": self.certificate.number}
        )
        return redirect(self.url("certificates"))

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "certificate": self.certificate}


class WriteOffListView(ListView):
    """核销查询: what customs wrote off against the authority's certificates."""

    template_name = "customs/admin/write_off_list.html"
    header_icon = "list-ul"
    page_title = gettext_lazy("Write-off query")
    filterset_class = WriteOffFilter
    ordering = ("-declaration_date", "-pk")

    def scoped(self):
        return selectors.write_offs_for_authority(
            self.request.user, self.system.key
        ).select_related("certificate", "line")

    def post(self, request, *args, **kwargs):
        raise Http404


class DeclarationView(StaffView):
    """One customs declaration: every certificate line it wrote off."""

    template_name = "customs/admin/declaration.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.write_offs = list(
            selectors.write_offs_for_authority(request.user, self.system.key)
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


class DeadLetterListView(ListView):
    """发送失败 for good: the messages to customs that every retry within the horizon
    (settings.OUTBOX_RETRY_HORIZON, 24 hours by default) failed, with the last reason; those
    selected are sent again, each with its own id and a fresh horizon."""

    template_name = "customs/admin/dead_letters.html"
    header_icon = "warning"
    page_title = gettext_lazy("Messages customs never received")
    filterset_class = DeadLetterFilter
    ordering = ("-next_attempt_at", "-pk")

    def scoped(self):
        return selectors.dead_letters_for_authority(
            self.request.user, self.system.key
        ).select_related("certificate")

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "can_act": seat_of(self.request.user, self.system.key) is not None,
        }

    def post(self, request, *args, **kwargs):
        if seat_of(request.user, self.system.key) is None:
            raise PermissionDenied
        ids = [value for value in request.POST.getlist("selected") if value.isdigit()]
        dead = self.scoped().filter(pk__in=ids)
        certificates = list({message.certificate for message in dead})
        return send_and_report(
            request,
            certificates,
            _("Sent to customs again: %(numbers)s. The status changes when customs answers."),
        )
