"""The approver side of the drug permit in the Wagtail admin (seed 000 §4.3-4.4)."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from documents import filters, selectors
from documents import services as documents
from documents.models import DrugPermitStatus as S
from documents.views import pdf_response
from portal.forms import PortalFormMixin

from . import drug_permit as dp
from .admin_views import SettingsRequiredMixin
from .models import AuditEntry

QUEUE_TITLES = {
    1: gettext_lazy("Pending acceptance (待受理)"),
    2: gettext_lazy("Pending first review (待初审)"),
    3: gettext_lazy("Pending second review (待复审)"),
    4: gettext_lazy("Pending final decision (待审定)"),
}

# (state, level) -> the decisions offered, each (value, label, service call)
DECISIONS = {
    (S.PENDING_ACCEPTANCE, 1): [
        ("accept", gettext_lazy("Accept (受理)")),
        ("not_accept", gettext_lazy("Do not accept (不予受理)")),
        ("request_supplement", gettext_lazy("Request supplement (补正材料)")),
    ],
    (S.WITHDRAWAL_PENDING, 1): [
        ("approve_withdrawal", gettext_lazy("Approve the withdrawal")),
        ("reject_withdrawal", gettext_lazy("Reject the withdrawal; review continues")),
    ],
    (S.FIRST_REVIEW, 2): [
        ("agree", gettext_lazy("Agree")),
        ("disagree", gettext_lazy("Disagree")),
    ],
    (S.SECOND_REVIEW, 3): [
        ("agree", gettext_lazy("Agree")),
        ("disagree", gettext_lazy("Disagree")),
    ],
    (S.FINAL_DECISION, 4): [
        ("approve", gettext_lazy("Approve: issue the certificate")),
        ("refuse", gettext_lazy("Refuse (审批不通过)")),
    ],
    **{
        (S.REFUSED_PENDING_NOTICE, level): [
            ("send_refusal_notice", gettext_lazy("Send the refusal decision (不予许可决定书)"))
        ]
        for level in (1, 2, 3)
    },
}


NOTICE_TITLES = {
    "accept": gettext_lazy("Acceptance notice (受理通知书)"),
    "not_accept": gettext_lazy("Non-acceptance notice (不予受理通知书)"),
    "request_supplement": gettext_lazy("Supplement notice (补正材料通知书)"),
    "send_refusal_notice": gettext_lazy("Refusal decision (不予许可决定书)"),
}


def decide(*, application, actor, decision: str, opinion: str, notice_number: str, request):
    """Route one decision to its service."""
    common = {"application": application, "actor": actor, "request": request}
    if decision in ("accept", "not_accept", "send_refusal_notice"):
        return getattr(dp, decision)(**common, opinion=opinion, notice_number=notice_number)
    if decision == "request_supplement":
        return dp.request_supplement(**common, opinion=opinion, notice_number=notice_number)
    if decision in ("agree", "disagree"):
        return dp.review(**common, agree=decision == "agree", opinion=opinion)
    if decision in ("approve", "refuse", "approve_withdrawal", "reject_withdrawal"):
        return getattr(dp, decision)(**common, opinion=opinion)
    raise PermissionDenied


class DecisionForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=gettext_lazy("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notice_number = forms.CharField(
        label=gettext_lazy("Notice number"), required=False, max_length=50
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices
        if len(choices) == 1:
            self.fields["decision"].initial = choices[0][0]


class ApproverView(SettingsRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    def dispatch(self, request, *args, **kwargs):
        if not hasattr(request.user, "approver_seat"):
            raise PermissionDenied
        self.seat = request.user.approver_seat
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class TodoView(ApproverView):
    template_name = "workflows/admin/drug_permit_todo.html"
    header_icon = "tasks"
    withdrawals = False

    def get_page_title(self):
        if self.withdrawals:
            return _("Withdrawals to review (撤回待审)")
        return str(QUEUE_TITLES[self.seat.level])

    def get_context_data(self, **kwargs):
        qs = selectors.drug_permit_queue(self.request.user).select_related(
            "enterprise", "authority"
        )
        if self.withdrawals:
            qs = qs.filter(status=S.WITHDRAWAL_PENDING)
        else:
            qs = qs.exclude(status=S.WITHDRAWAL_PENDING)
        number = self.request.GET.get("number", "").strip()
        if number:
            qs = qs.filter(number__icontains=number)
        return {**super().get_context_data(**kwargs), "applications": qs, "number": number}


class QueryView(SettingsRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """申请单查询: everything filed to the authority, read-only."""

    template_name = "workflows/admin/drug_permit_query.html"
    header_icon = "search"
    page_title = gettext_lazy("Application query")
    shown = 200

    def get_context_data(self, **kwargs):
        qs = selectors.drug_permits_for_authority(self.request.user).select_related("enterprise")
        qs = filters.applications(qs, self.request.GET)
        total = qs.count()
        applications = list(qs.order_by("-submitted_at")[: self.shown])
        histories = {}
        if applications:
            # One query for every listed filing's review history (the 审批记录 pop-up).
            entries = AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(applications[0]),
                object_id__in=[str(a.pk) for a in applications],
            ).select_related("actor")
            for entry in entries.order_by("created_at", "pk"):
                histories.setdefault(entry.object_id, []).append(entry)
        for application in applications:
            application.history = histories.get(str(application.pk), [])
        return {
            **super().get_context_data(**kwargs),
            "applications": applications,
            "statuses": S.choices,
            "total": total,
            "shown": min(total, self.shown),
            "filters": filters.clean("applications", self.request.GET),
        }


class DetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "workflows/admin/drug_permit_detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        self.application = get_object_or_404(
            selectors.drug_permits_for_authority(request.user), number=kwargs["number"]
        )
        seat = getattr(request.user, "approver_seat", None)
        self.choices = DECISIONS.get((self.application.status, seat.level if seat else None), [])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.application.number

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def post(self, request, *args, **kwargs):
        if request.POST.get("mark"):
            attachment = get_object_or_404(
                dp.attachments_of(self.application), pk=request.POST["mark"]
            )
            dp.mark_attachment(
                application=self.application, attachment=attachment, actor=request.user
            )
            messages.success(request, _("Marked: the enterprise must resubmit this attachment."))
            return redirect(request.path)
        form = DecisionForm(request.POST, choices=self.choices)
        if not self.choices:
            raise PermissionDenied
        wants_preview = request.POST.get("preview") or request.POST.get("preview_pdf")
        if wants_preview and form.is_valid():
            decision = form.cleaned_data["decision"]
            if decision in NOTICE_TITLES:
                notice = documents.preview_notice(
                    application=self.application,
                    actor=request.user,
                    decision=decision,
                    number=form.cleaned_data["notice_number"],
                    opinion=form.cleaned_data["opinion"],
                )
                context = documents.notice_context(notice, preview=True)
                if request.POST.get("preview_pdf"):
                    return pdf_response(
                        documents.pdf.render("documents/notice.html", context), "preview.pdf"
                    )
                with translation.override("zh-hans"):
                    preview = render_to_string("documents/notice.html", context)
                return self.render_to_response(self.get_context_data(form=form, preview=preview))
            messages.info(request, _("This decision sends no notice."))
            return self.render_to_response(self.get_context_data(form=form))
        if form.is_valid():
            try:
                before = set(self.application.notices.values_list("pk", flat=True))
                decide(
                    application=self.application,
                    actor=request.user,
                    request=request,
                    **form.cleaned_data,
                )
                messages.success(request, _("Decision recorded."))
                sent = self.application.notices.exclude(pk__in=before).first()
                if sent:  # straight to the notice, to print it (通知书打印界面)
                    return redirect("documents_notice", sent.pk)
                return redirect("drug_permit_todo")
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            except dp.AlreadyHandled as error:
                messages.error(request, str(error))
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        application = self.application
        seat = getattr(self.request.user, "approver_seat", None)
        form = kwargs.pop("form", None) or (
            DecisionForm(choices=self.choices) if self.choices else None
        )
        return {
            **super().get_context_data(**kwargs),
            "application": application,
            "lines": application.goods_lines.select_related("hs_code", "dosage_form", "country"),
            "attachments": dp.attachments_of(application).select_related("attachment_type"),
            "history": AuditEntry.objects.for_object(application).select_related("actor"),
            "form": form,
            "can_mark": bool(
                seat and seat.level == 1 and application.status == S.PENDING_ACCEPTANCE
            ),
            "certificate": getattr(application, "certificate", None),
            "notices": application.notices.all(),
        }


def download_attachment(request, number: str, attachment_id: int):
    application = get_object_or_404(
        selectors.drug_permits_for_authority(request.user), number=number
    )
    return dp.attachment_download(application, attachment_id)
