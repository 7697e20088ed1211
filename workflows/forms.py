"""The mechanism's own forms, built from a system's declaration where they differ."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from filings.models import ApprovalSettings
from portal.accounts.validators import validate_phone
from portal.forms import PortalFormMixin


class ApprovalSettingsForm(PortalFormMixin, forms.ModelForm):
    """初始值设置: the approval stages (mandatory ones shown, optional ones chosen once),
    the names and contacts on notices, and what the system adds."""

    class Meta:
        model = ApprovalSettings
        fields = ["name_zh", "name_en", "phone", "address", "postcode", "contact"]

    def __init__(self, *args, system, stages_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.system = system
        chosen = set(self.instance.levels if self.instance.pk else ())
        self.stage_fields = []
        for stage in system.stages:
            name = f"stage_{stage.level}"
            field = forms.BooleanField(
                label=stage.label,
                required=False,
                initial=not stage.optional or stage.level in chosen,
                disabled=not stage.optional or not stages_editable,
            )
            if stage.optional and not stages_editable:
                field.help_text = _(
                    "Saved and locked. Ask the system administrator to change the stages."
                )
            self.fields[name] = field
            self.stage_fields.append(name)
        for name, template in system.settings_fields.items():
            field = template.__class__(
                label=template.label,
                min_value=getattr(template, "min_value", None),
                max_value=getattr(template, "max_value", None),
                initial=self.instance.options.get(name, template.initial),
            )
            if isinstance(field, forms.IntegerField):
                field.widget.attrs["min"] = field.min_value
            self.fields[name] = field
        self.fields["phone"].validators.append(validate_phone)
        self.fields["postcode"].validators.append(
            RegexValidator(r"^\d{6}$", _("A postcode is 6 digits."))
        )
        self.order_fields(self.stage_fields)

    def values(self) -> dict:
        """What the service receives: the chosen levels, names, contacts and options."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        if any(not self.fields[name].disabled for name in self.stage_fields):
            values["levels"] = [
                int(name.split("_")[1])
                for name in self.stage_fields
                if self.cleaned_data.get(name)
                or self.fields[name].disabled
                and self.fields[name].initial
            ]
        for name in self.system.settings_fields:
            values[name] = self.cleaned_data[name]
        return values


class DecisionForm(PortalFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    opinion = forms.CharField(
        label=_("Opinion"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notice_number = forms.CharField(label=_("Notice number"), required=False, max_length=50)
    # The status the page showed: a decision from a stale page is "already handled".
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = choices
        if len(choices) == 1:
            self.fields["decision"].initial = choices[0][0]


class AttachmentForm(PortalFormMixin, forms.Form):
    file = forms.FileField(label=_("File"))


class ImportForm(PortalFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )


class SeatForm(PortalFormMixin, forms.Form):
    """A new seat: an existing approver account of this authority, or a new account."""

    username = forms.CharField(label=_("Account name"), max_length=150)
    full_name = forms.CharField(
        label=_("Name"),
        max_length=150,
        required=False,
        help_text=_("For a new account: the name printed on documents."),
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("First password"),
        required=False,
        widget=forms.PasswordInput(render_value=True),
        help_text=_("For a new account; the approver changes it after signing in."),
    )
    system = forms.ChoiceField(label=_("Filing system"))
    level = forms.TypedChoiceField(label=_("Level"), coerce=int)

    def __init__(self, *args, systems, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["system"].choices = [(s.key, s.label) for s in systems]
        self.fields["level"].choices = [
            (stage.level, f"{s.label} · {stage.label}") for s in systems for stage in s.stages
        ]


class SeatChangeForm(PortalFormMixin, forms.Form):
    level = forms.TypedChoiceField(label=_("Level"), coerce=int)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, system, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(stage.level, stage.label) for stage in system.stages]
