"""The approvers' pages of every filing system in the Wagtail admin (seed 000 §4.3-4.4):
the to-do and withdrawal lists, the application query with its read-only detail, the
detail with the decisions the state graph offers, and the authority's settings.
Plus the authority administrator's approver seats."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from documents import pdf
from documents import selectors as documents
from documents import services as document_services
from documents.admin_views import ListView, StaffView, start_export
from documents.models import DocumentJob
from documents.views import pdf_response
from filings import audit, registry
from filings.compare import compare
from filings.filters import filing_filterset
from filings.runner import AlreadyHandled
from filings.selectors import (
    approval_settings,
    attachments_of,
    authority_id_for,
    filings_for_authority,
    queue,
)
from filings.transitions import available
from portal import files
from portal.accounts.models import ApproverSeat
from portal.accounts.roles import Role, role_of
from portal.accounts.selectors import seat_of, seats_of_authority
from portal.pagination import url_pattern
from portal.reference.models import Authority

from . import case_notes, rules, seat_queues, seats, services
from .forms import ApprovalSettingsForm, DecisionForm, SeatChangeForm, SeatForm
from .views import attachment_download


class QueueView(ListView):
    """待办: the filings waiting at the approver's level (or its withdrawals to review)."""

    template_name = "workflows/admin/todo.html"
    header_icon = "tasks"
    queue_name = "todo"
    ordering = ("submitted_at", "id")

    def dispatch(self, request, *args, **kwargs):
        self.seat = seat_of(request.user, self.system.key)
        if self.seat is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filterset_class(self):
        return filing_filterset(self.system.key, "authority")

    def get_page_title(self):
        if self.queue_name == "withdrawals":
            return _("Withdrawals to review")
        stage = self.system.stage_for_level(self.seat.level)
        return _("To-do: %(stage)s") % {"stage": stage.label if stage else self.seat.level}

    def scoped(self):
        return queue(self.request.user, self.system.key, self.queue_name).select_related(
            "enterprise"
        )

    def post(self, request, *args, **kwargs):
        raise PermissionDenied

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = staff_rows(self.system, context["page"], "todo_detail")
        context["columns"] = [c.label for c in self.system.staff_columns]
        context["queue"] = self.queue_name
        return context


def staff_rows(system, filings, detail: str) -> list[dict]:
    """What an approver's list shows of each filing, prepared once for the page."""
    url = url_pattern(f"{system.admin_slug}:{detail}")
    return [
        {
            "filing": filing,
            "url": url(filing.number),
            "enterprise": filing.enterprise.name_zh,
            "columns": [column.of(filing) for column in system.staff_columns],
            "status": filing.status_label,
            "submitted": local_minute(filing.submitted_at),
        }
        for filing in filings
    ]


def local_minute(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class QueryView(ListView):
    """申请单查询: everything filed to the authority in this system, read-only, exportable."""

    template_name = "workflows/admin/query.html"
    header_icon = "search"
    page_title = gettext_lazy("Application query")
    ordering = ("-submitted_at", "-id")

    def get_filterset_class(self):
        return filing_filterset(self.system.key, "authority")

    def scoped(self):
        return filings_for_authority(self.request.user, self.system.key).select_related(
            "enterprise"
        )

    def post(self, request, *args, **kwargs):
        """导出: the selected applications, or every match of the search."""
        return start_export(
            request,
            self.system,
            kind=DocumentJob.Kind.APPLICATION_EXPORT,
            filters=self.filterset().active,
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = staff_rows(self.system, context["page"], "query_detail")
        history = url_pattern(f"{self.system.admin_slug}:history")
        for row in context["rows"]:
            row["history"] = history(row["filing"].number)  # the 审批记录 pop-up, on demand
        context["columns"] = [c.label for c in self.system.staff_columns]
        return context


def history(request, number: str, system=None):
    """审批记录: one filing's review history, for the pop-up of the application query."""
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    return render(request, "workflows/admin/_history.html", {"history": audit.history(filing)})


class FilingView(StaffView):
    """One filing: what was filed, what changed since the previous submission, documents,
    history, and (from the to-do list) the decisions the state graph offers this seat."""

    template_name = "workflows/admin/detail.html"
    header_icon = "doc-full"
    decides = False

    def dispatch(self, request, *args, **kwargs):
        self.filing = get_object_or_404(
            filings_for_authority(request.user, self.system.key), number=kwargs["number"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.filing.number

    def decisions(self):
        if not self.decides:
            return []
        return available(self.filing, self.request.user, "approver")

    def post(self, request, *args, **kwargs):
        if "case_note" in request.POST:
            return self.add_note(request)
        if not self.decides:
            raise PermissionDenied
        filing = self.filing
        if request.POST.get("mark"):
            attachment = get_object_or_404(attachments_of(filing), pk=request.POST["mark"])
            services.mark_attachment(filing=filing, actor=request.user, attachment=attachment)
            messages.success(request, _("Marked: the enterprise must resubmit this attachment."))
            return redirect(request.path)
        posted = request.POST.get("decision", "")
        choices = [(t.name, t.custom["label"]) for t in self.decisions()]
        if posted and posted not in dict(choices):
            # Not offered now: the page was stale, or someone else decided meanwhile.
            choices = [*choices, (posted, posted)]
        form = DecisionForm(request.POST, choices=choices)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        if request.POST.get("preview") or request.POST.get("preview_pdf"):
            return self.preview(request, form, data)
        try:
            produced = services.decide(
                filing=filing,
                actor=request.user,
                decision=data["decision"],
                opinion=data["opinion"],
                notice_number=data["notice_number"],
                expected_status=data["seen_status"] or None,
                request=request,
            )
        except AlreadyHandled as error:
            messages.error(request, str(error))
            return redirect(self.url("query_detail", filing.number))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("Decision recorded."))
        if produced["notice"]:  # straight to the notice, to print it (通知书打印界面)
            return redirect(self.url("notice", produced["notice"].pk))
        return redirect(self.url("todo"))

    def add_note(self, request):
        """A case note, from the detail reached by the to-do list or the query alike."""
        text = request.POST.get("text", "")
        try:
            case_notes.add_case_note(
                filing=self.filing,
                actor=request.user,
                text=text,
                attachments=request.FILES.getlist("files"),
                request=request,
            )
        except ValidationError as error:
            errors = (
                error.message_dict if hasattr(error, "error_dict") else {"text": error.messages}
            )
            context = self.get_context_data(note_text=text, note_errors=errors)
            return self.render_to_response(context)
        messages.success(request, _("Case note added. The enterprise does not see it."))
        return redirect(f"{request.path}#case-notes")

    def preview(self, request, form, data):
        notice = services.preview_notice(
            filing=self.filing,
            actor=request.user,
            decision=data["decision"],
            notice_number=data["notice_number"],
            opinion=data["opinion"],
        )
        if notice is None:
            messages.info(request, _("This decision sends no notice."))
            return self.render_to_response(self.get_context_data(form=form))
        context = document_services.notice_context(notice, preview=True)
        if request.POST.get("preview_pdf"):
            return pdf_response(pdf.render("documents/notice.html", context), "preview.pdf")
        with translation.override("zh-hans"):
            preview = render_to_string("documents/notice.html", context)
        return self.render_to_response(self.get_context_data(form=form, preview=preview))

    def explain_notice_number(self, form, noticing) -> None:
        """Say which decisions send a notice (and need its number); hide the field if none."""
        if not noticing:
            form.fields.pop("notice_number", None)
        else:
            form.fields["notice_number"].help_text = _(
                "Printed on the notice these decisions send: %(decisions)s."
            ) % {"decisions": pgettext("list separator", ", ").join(str(d) for d in noticing)}

    def resubmission_changes(self):
        """What changed between the two latest submissions (None before a resubmission)."""
        submissions = [
            entry
            for entry in audit.history(self.filing)
            if entry.revision_id and transition_kind(self.system, entry.transition) == "filer"
        ]
        if len(submissions) < 2:
            return None
        before, after = submissions[-2], submissions[-1]
        comparison = compare(
            before.revision.as_object(),
            after.revision.as_object(),
            columns=self.system.header_columns,
            line_columns=self.system.line_columns,
            lines_of=self.system.lines_of,
        )
        return {"before": before, "after": after, "comparison": comparison}

    def get_context_data(self, **kwargs):
        filing = self.filing
        decisions = self.decisions()
        form = kwargs.pop("form", None)
        note_text = kwargs.pop("note_text", "")
        note_errors = kwargs.pop("note_errors", {})
        if form is None and decisions:
            form = DecisionForm(
                choices=[(t.name, t.custom["label"]) for t in decisions],
                initial={"seen_status": filing.status},
            )
        noticing = [str(t.custom["label"]) for t in decisions if services.notice_due(filing, t)]
        if form is not None:
            self.explain_notice_number(form, noticing)
        attachments = list(attachments_of(filing).select_related("attachment_type"))
        line_page = Paginator(self.system.lines_of(filing), self.system.lines_per_page).get_page(
            self.request.GET.get("lines_page")
        )
        return {
            **super().get_context_data(**kwargs),
            "application": filing,
            "decides": self.decides,
            "facts": [
                (c.label, c.of(filing)) for c in self.system.header_columns if c.applies(filing)
            ],
            "line_labels": [c.label for c in self.system.line_columns],
            "line_page": line_page,
            "lines": [[c.of(line) for c in self.system.line_columns] for line in line_page],
            "attachments": attachments,
            "history": audit.history(filing),
            "form": form,
            "can_mark": self.decides and services.can_mark(filing, self.request.user),
            "certificate": getattr(filing, "certificate", None),
            "notices": documents.notices_of(filing),
            "changes": self.resubmission_changes(),
            "sections": self.system.detail_sections(filing),
            "conditions": rules.summaries(self.system.submit_rules, filing),
            "sends_notice": bool(noticing),
            "case_notes": case_notes.notes_for(filing, self.request.user),
            "may_add_note": case_notes.may_add(filing, self.request.user),
            "note_text": note_text,
            "note_errors": note_errors,
            "note_limits": {"text": case_notes.MAX_TEXT, "files": case_notes.MAX_FILES},
        }


def transition_kind(system, name: str) -> str | None:
    found = next((t for t in system.transitions() if t.name == name), None)
    return found.custom.get("actor") if found else None


def application_form(request, number: str, system=None):
    """The application form (申请表) as the enterprise filed it, as a PDF."""
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    return pdf_response(
        document_services.application_form_pdf(filing), f"application-{filing.number}.pdf"
    )


def download_attachment(request, number: str, attachment_id: int, system=None):
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    return attachment_download(filing, attachment_id)


def download_case_note_attachment(request, number: str, attachment_id: int, system=None):
    """A case note's PDF: only for the filing's authority (404 for anyone else)."""
    filing = get_object_or_404(filings_for_authority(request.user, system.key), number=number)
    attachment = case_notes.attachment_for(filing, request.user, attachment_id)
    if attachment is None:
        raise Http404
    return files.stored_download(attachment.file, attachment.original_name)


class SettingsView(StaffView, FormView):
    """初始值设置: approval stages and the names and contacts on notices."""

    template_name = "workflows/admin/approval_settings.html"
    header_icon = "cog"
    page_title = gettext_lazy("Authority settings")
    form_class = ApprovalSettingsForm
    requires_settings = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_superuser and request.GET.get("authority"):
            self.authority = get_object_or_404(Authority, code=request.GET["authority"])
            self.authority_id = self.authority.pk
            self.instance = approval_settings(authority=self.authority, system=self.system.key)
            return super(StaffView, self).dispatch(request, *args, **kwargs)
        authority_id = authority_id_for(request.user, self.system.key)
        if authority_id is None:
            raise PermissionDenied
        self.authority = Authority.objects.get(pk=authority_id)
        self.instance = approval_settings(authority=self.authority, system=self.system.key)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.authority.localized_name} · {self.system.label}"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.instance
        kwargs["system"] = self.system
        kwargs["stages_editable"] = (
            self.instance is None
            or not self.instance.stages_locked
            or self.request.user.is_superuser
        )
        if self.instance is None:
            kwargs["initial"] = {
                "name_zh": self.authority.name_zh,
                "name_en": self.authority.name_en,
                "phone": self.authority.phone,
                "address": self.authority.address,
                "contact": self.authority.contact,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "settings_obj": self.instance,
            "missing_seats": seats.levels_without_seat(
                authority=self.authority,
                system=self.system.key,
                levels=[s.level for s in self.system.stages],
            ),
        }

    def form_valid(self, form):
        try:
            services.save_approval_settings(
                actor=self.request.user,
                authority=self.authority,
                system=self.system.key,
                values=form.values(),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Initial values saved."))
        return redirect(self.request.get_full_path())


# --- seats ------------------------------------------------------------------------------------


class AdminPage(WagtailAdminTemplateMixin, TemplateView):
    role = None

    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) != self.role:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class MySeatsView(AdminPage):
    role = Role.APPROVER
    page_title = gettext_lazy("My approval seats")
    header_icon = "key"
    template_name = "workflows/admin/my_seats.html"

    def get_context_data(self, **kwargs):
        # Each seat with how many filings wait in its to-do list (capped: "more than").
        rows = seat_queues.seat_rows(self.request.user)
        return {**super().get_context_data(**kwargs), "rows": rows}


class SeatListView(AdminPage):
    """The authority's approver seats: who decides what, at which level."""

    role = Role.AUTHORITY_ADMIN
    page_title = gettext_lazy("Approver seats")
    header_icon = "group"
    template_name = "workflows/admin/seats.html"

    def get_context_data(self, **kwargs):
        authority = self.request.user.authority_admin.authority
        rows = []
        for seat in seats_of_authority(user=self.request.user).order_by(
            "system", "level", "user__username"
        ):
            system = registry.find(seat.system)
            stage = system.stage_for_level(seat.level) if system else None
            rows.append((seat, system, stage))
        missing = []
        for system in seats.systems_of_authority(authority):
            settings_obj = approval_settings(authority=authority, system=system.key)
            levels = (
                settings_obj.enabled_levels if settings_obj else [s.level for s in system.stages]
            )
            for level in seats.levels_without_seat(
                authority=authority, system=system.key, levels=levels
            ):
                missing.append((system, system.stage_for_level(level)))
        return {
            **super().get_context_data(**kwargs),
            "authority": authority,
            "rows": rows,
            "missing": missing,
        }


class SeatCreateView(AdminPage, FormView):
    role = Role.AUTHORITY_ADMIN
    page_title = gettext_lazy("New approver seat")
    header_icon = "plus"
    template_name = "workflows/admin/seat_form.html"
    form_class = SeatForm

    def get_form_kwargs(self):
        authority = self.request.user.authority_admin.authority
        return {**super().get_form_kwargs(), "systems": seats.systems_of_authority(authority)}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            seat = seats.create_seat(actor=self.request.user, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Seat created: %(user)s can now sign in and decide.")
            % {"user": seat.user.get_full_name() or seat.user.username},
        )
        return redirect("approver_seats")


class SeatEditView(AdminPage, FormView):
    role = Role.AUTHORITY_ADMIN
    page_title = gettext_lazy("Change an approver seat")
    header_icon = "edit"
    template_name = "workflows/admin/seat_form.html"
    form_class = SeatChangeForm

    def dispatch(self, request, *args, **kwargs):
        self.seat = get_object_or_404(seats_of_authority(user=request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "system": registry.get(self.seat.system),
            "initial": {"level": self.seat.level, "is_active": self.seat.is_active},
        }

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "seat": self.seat}

    def form_valid(self, form):
        try:
            seats.change_seat(
                actor=self.request.user,
                seat=self.seat,
                level=form.cleaned_data["level"],
                active=form.cleaned_data["is_active"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Seat saved."))
        return redirect("approver_seats")


def seat_url(seat: ApproverSeat) -> str:
    return reverse("approver_seat_edit", args=[seat.pk])
