from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.accounts.validators import validate_phone
from portal.forms import PortalFormMixin

from .models import ApprovalSettings


class ApprovalSettingsForm(PortalFormMixin, forms.ModelForm):
    accept = forms.BooleanField(
        label=_("acceptance (受理)"), required=False, initial=True, disabled=True
    )
    final_decision = forms.BooleanField(
        label=_("final decision (审定)"), required=False, initial=True, disabled=True
    )

    class Meta:
        model = ApprovalSettings
        fields = [
            "first_review",
            "second_review",
            "name_zh",
            "name_en",
            "phone",
            "address",
            "postcode",
            "contact",
            "import_validity_days",
            "export_validity_days",
        ]

    field_order = ["accept", "first_review", "second_review", "final_decision"]

    def __init__(self, *args, stages_editable: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].validators.append(validate_phone)
        self.fields["postcode"].validators.append(
            RegexValidator(r"^\d{6}$", _("A postcode is 6 digits."))
        )
        if not stages_editable:
            for name in ("first_review", "second_review"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Saved and locked. Ask the system administrator to change the stages."
                )
        for name in ("import_validity_days", "export_validity_days"):
            self.fields[name].min_value = 1
            self.fields[name].widget.attrs["min"] = 1
