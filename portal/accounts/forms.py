from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.forms import PortalFormMixin
from portal.reference.models import Module, Province, Region
from portal.reference.widgets import ReferencePicker

from .models import Enterprise, User
from .services import PROFILE_FIELDS
from .validators import (
    normalize_uscc,
    validate_phone,
    validate_trade_registration,
    validate_uscc,
)

CHINESE_NAME_RE = r"[\u4e00-\u9fff]"
ENGLISH_NAME_RE = r"^[A-Za-z0-9 &.,()'\-]+$"
USERNAME_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9_.\-]{3,30}$",
    _("Use 3 to 30 letters, digits, dots, hyphens or underscores."),
)


class PasswordPairMixin:
    """Two password fields that must match and pass Django's password rules."""

    def clean_password2(self):
        p1 = self.cleaned_data.get("password1")
        p2 = self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise ValidationError(_("The two passwords do not match."))
        if p2:
            validate_password(p2, self._password_user())
        return p2

    def _password_user(self):
        return User(username=self.cleaned_data.get("username", ""))


class RegistrationForm(PortalFormMixin, PasswordPairMixin, forms.Form):
    name_zh = forms.CharField(
        label=_("Company name (Chinese)"),
        max_length=200,
        validators=[
            RegexValidator(CHINESE_NAME_RE, _("Enter the registered Chinese name of the company."))
        ],
    )
    name_en = forms.CharField(
        label=_("Company name (English)"),
        max_length=200,
        required=False,
        validators=[
            RegexValidator(
                ENGLISH_NAME_RE,
                _("Use Latin letters, digits, spaces and & . , ( ) ' - only."),
            )
        ],
    )
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=30,
        help_text=_("18 characters, as printed on the business licence."),
    )
    address = forms.CharField(label=_("Registered address"), max_length=300)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=30, validators=[validate_phone]
    )
    contact_email = forms.EmailField(label=_("Contact e-mail"))
    trade_registration_number = forms.CharField(
        label=_("Foreign-trade operator record number"),
        required=False,
        max_length=20,
        validators=[validate_trade_registration],
        help_text=_("Needed before filing drug import/export permits; you can add it later."),
    )
    username = forms.CharField(
        label=_("Owner's user name"), max_length=30, validators=[USERNAME_VALIDATOR]
    )
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def clean_uscc(self):
        uscc = normalize_uscc(self.cleaned_data["uscc"])
        validate_uscc(uscc)
        if Province.from_division_code(uscc[2:8]) is None:
            raise ValidationError(
                _("Characters 3 to 8 of this code are not an area code of a province.")
            )
        if Enterprise.objects.filter(uscc=uscc).exists():
            raise ValidationError(
                _("An enterprise with this unified social credit code is already registered.")
            )
        return uscc

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken; choose another."))
        return username


class InvitationForm(PortalFormMixin, forms.Form):
    name = forms.CharField(label=_("Agent's name"), max_length=50)
    email = forms.EmailField(label=_("Agent's e-mail"))
    modules = forms.MultipleChoiceField(
        label=_("Modules granted"),
        choices=Module.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Grant at least one module.")},
    )


class AcceptInvitationForm(PortalFormMixin, PasswordPairMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=30, validators=[USERNAME_VALIDATOR])
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    clean_username = RegistrationForm.clean_username


class AgentModulesForm(PortalFormMixin, forms.Form):
    modules = forms.MultipleChoiceField(
        label=_("Modules granted"),
        choices=Module.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class EnterpriseProfileForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = PROFILE_FIELDS


class RegulatorFields(PortalFormMixin, forms.Form):
    """A regulator's jurisdiction, offered within the administrator's own, and read rights."""

    region = forms.ModelChoiceField(
        label=_("Jurisdiction"),
        queryset=Region.objects.none(),
        help_text=_("The regulator reads this region and every region under it."),
    )
    modules = forms.MultipleChoiceField(
        label=_("Read rights"),
        choices=Module.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The modules whose submitted records the regulator may read."),
    )

    def __init__(self, *args, within: Region, **kwargs):
        super().__init__(*args, **kwargs)
        region = self.fields["region"]
        region.queryset = Region.objects.live().filter(within.scope_q("code"))
        region.widget = ReferencePicker("regions", params={"within": within.code})
        region.error_messages["invalid_choice"] = _("Choose a region within your own.")


class RegulatorForm(RegulatorFields):
    """A new regulator account in a region within the administrator's own."""

    field_order = ["username", "password", "region", "modules"]

    username = forms.CharField(
        label=_("Account name"), max_length=30, validators=[USERNAME_VALIDATOR]
    )
    password = forms.CharField(
        label=_("First password"),
        widget=forms.PasswordInput(render_value=True),
        strip=False,
        help_text=_("The regulator changes it after signing in."),
    )


class RegulatorChangeForm(RegulatorFields):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A disabled regulator cannot sign in and reads nothing."),
    )
