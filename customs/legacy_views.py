"""老版录入 (seed 000 §4, the permit menu beside the approval menu): a final-level approver
or the authority's administrator keys in a certificate issued earlier on paper; checked
as strictly as an imported one (``imports.enter_certificate``), then sent to customs.

The form is built from the system's declaration: the common certificate fields, its
``legacy_content_fields`` and, per goods line, the common line fields and its
``legacy_line_fields``; nothing here names a system."""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.admin_views import StaffView
from documents.models import legacy_entry_authority_id

from . import imports

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def header_form_class(system):
    """The certificate's own values: holder, number, dates, the system's content, ports."""
    fields = {
        "holder_uscc": forms.CharField(
            label=gettext_lazy("Holder's unified social credit code"),
            max_length=18,
            help_text=gettext_lazy(
                "When the holder is registered here, its name and address are filled in "
                "from its registration (“Find the holder”)."
            ),
        ),
        "holder_name": forms.CharField(
            label=gettext_lazy("Holder"), max_length=200, required=False
        ),
        "holder_address": forms.CharField(
            label=gettext_lazy("Address"), max_length=300, required=False
        ),
        "number": forms.CharField(label=system.certificate_number_label, max_length=32),
        "issue_date": forms.DateField(label=gettext_lazy("Issue date"), widget=DATE),
        "valid_until": forms.DateField(label=gettext_lazy("Valid until"), widget=DATE),
        **{key: copy.deepcopy(field) for key, field in system.legacy_content_fields.items()},
        "ports": forms.CharField(label=gettext_lazy("Ports"), max_length=300, required=False),
        "remarks": forms.CharField(
            label=gettext_lazy("Remarks"),
            max_length=500,
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
    }
    return type("LegacyCertificateForm", (forms.Form,), fields)


def line_form_class(system):
    """One goods line as the certificate records it; labels as the system's certificate
    shows them.  A row left empty is no line."""
    labels = {c.value: c.label for c in system.certificate_line_columns if isinstance(c.value, str)}
    fields = {
        "hs_code": forms.CharField(label=labels.get("hs_code", _("HS code")), max_length=10),
        "name": forms.CharField(label=labels.get("name", _("Goods")), max_length=200),
        **{key: copy.deepcopy(field) for key, field in system.legacy_line_fields.items()},
        "quantity": forms.DecimalField(
            label=gettext_lazy("Licensed quantity"), max_digits=14, decimal_places=3
        ),
        "unit": forms.CharField(label=labels.get("unit", _("Unit")), max_length=20),
    }
    return type("LegacyCertificateLineForm", (forms.Form,), fields)


def line_formset(system, data=None):
    rows = system.max_lines or 10
    formset = forms.formset_factory(line_form_class(system), extra=rows, max_num=rows)
    return formset(data, prefix="lines")


class LegacyEntryView(StaffView):
    template_name = "customs/admin/legacy_entry.html"
    header_icon = "edit"
    page_title = gettext_lazy("Enter an earlier certificate")

    def dispatch(self, request, *args, **kwargs):
        if legacy_entry_authority_id(request.user, self.system.key) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        header = kwargs.pop("header", None) or header_form_class(self.system)()
        lines = kwargs.pop("lines", None) or line_formset(self.system)
        return {
            **super().get_context_data(**kwargs),
            "header": header,
            "lines": lines,
            "line_fields": list(lines.empty_form),
            "line_errors": kwargs.get("line_errors", []),
            "show_errors": kwargs.get("show_errors", True),
            "confirmed": kwargs.get("confirmed", False),
        }

    def post(self, request, *args, **kwargs):
        header = header_form_class(self.system)(request.POST)
        lines = line_formset(self.system, request.POST)
        confirmed = request.POST.get("confirm") == "yes"
        if request.POST.get("action") == "lookup":
            return self.lookup(request, header, lines)
        page = {"header": header, "lines": lines, "confirmed": confirmed}
        valid = header.is_valid() & lines.is_valid()
        if not valid:
            return self.render_to_response(self.get_context_data(**page))
        if not confirmed:
            header.add_error(
                None,
                _("Tick the box to confirm that the data matches the paper certificate."),
            )
            return self.render_to_response(self.get_context_data(**page))
        entered = [(i, f) for i, f in enumerate(lines.forms) if f.has_changed() and f.cleaned_data]
        values = {**header.cleaned_data, "lines": [f.cleaned_data for _i, f in entered]}
        try:
            certificate = imports.enter_certificate(
                actor=request.user, system=self.system.key, values=values, request=request
            )
        except ValidationError as error:
            page["line_errors"] = self.place(error, header, [f for _i, f in entered])
            return self.render_to_response(self.get_context_data(**page))
        messages.success(
            request,
            _(
                "Certificate %(number)s entered and sent to customs. "
                "The status changes when customs answers."
            )
            % {"number": certificate.number},
        )
        return redirect(self.url("certificate", certificate.number))

    def lookup(self, request, header, lines):
        """Find the holder by USCC: its registered name and address fill the form."""
        data = request.POST.copy()
        holder = imports.holder_for(data.get("holder_uscc", ""))
        if holder is None:
            messages.warning(
                request,
                _("No enterprise with this code is registered: type its name and address."),
            )
        else:
            data["holder_name"], data["holder_address"] = holder.name_zh, holder.address
            header = header_form_class(self.system)(data)
        return self.render_to_response(
            self.get_context_data(header=header, lines=lines, show_errors=False)
        )

    @staticmethod
    def place(error, header, entered) -> list[str]:
        """Each of the service's messages beside its field; those of no field above."""
        loose = []
        for key, texts in error.message_dict.items():
            parts = key.split(".")
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1]) - 1
                form = entered[index] if index < len(entered) else None
                if form is not None and parts[2] in form.fields:
                    for text in texts:
                        form.add_error(parts[2], text)
                    continue
            if key == "lines":
                loose += texts
            elif key in header.fields:
                for text in texts:
                    header.add_error(key, text)
            else:  # the certificate as a whole (NON_FIELD_ERRORS) or no field of the form
                for text in texts:
                    header.add_error(None, text)
        return loose
