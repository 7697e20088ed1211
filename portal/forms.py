from django import forms
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils.translation import gettext_lazy as _

REQUIRED = _("This field is required.")
CHOOSE = _("— Choose —")


class PortalFormMixin:
    """The portal's own wording for a missing required field.

    Django's message is translated differently by each installed app's
    catalogue (Wagtail's says "必需字段"); the portal says it one way.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = forms.Field.default_error_messages["required"]
        for field in self.fields.values():
            if field.error_messages.get("required") == default:
                field.error_messages["required"] = REQUIRED
            if isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                # Django's blank choice has no Chinese translation yet; the portal's has.
                blanks = {"---------", str(BLANK_CHOICE_LABEL)}
                choices = list(field.choices)
                if any(v == "" and str(label) in blanks for v, label in choices):
                    field.choices = [
                        (v, CHOOSE if v == "" and str(label) in blanks else label)
                        for v, label in choices
                    ]
