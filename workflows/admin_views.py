from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.accounts.admin_views import RoleView
from portal.accounts.roles import Role
from portal.reference.models import Authority, Module

from . import selectors, services
from .forms import ApprovalSettingsForm


def module_from_slug(slug: str) -> str:
    value = slug.upper().replace("-", "_")
    if value not in Module.values:
        raise Http404
    return value


class ApprovalSettingsView(WagtailAdminTemplateMixin, FormView):
    """初始值设置: approval stages and the names and contacts on notices."""

    template_name = "workflows/admin/approval_settings.html"
    form_class = ApprovalSettingsForm
    header_icon = "cog"
    page_title = gettext_lazy("Authority settings")

    def dispatch(self, request, *args, **kwargs):
        self.module = module_from_slug(kwargs["module"])
        if request.user.is_superuser and request.GET.get("authority"):
            self.authority = get_object_or_404(Authority, code=request.GET["authority"])
        else:
            self.authority = selectors.authority_of(request.user)
        if self.authority is None:
            raise PermissionDenied
        self.instance = selectors.approval_settings(authority=self.authority, module=self.module)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.authority.name_zh} · {Module(self.module).label}"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.instance
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
        return {**super().get_context_data(**kwargs), "settings_obj": self.instance}

    def form_valid(self, form):
        values = {
            name: form.cleaned_data[name]
            for name in form.Meta.fields
            if not form.fields[name].disabled
        }
        try:
            services.save_approval_settings(
                actor=self.request.user, authority=self.authority, module=self.module, values=values
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Initial values saved."))
        return redirect(self.request.get_full_path())


class SettingsRequiredMixin:
    """Approver pages show "set initial values first" until the settings are saved."""

    settings_module = Module.DRUG_PERMIT

    def dispatch(self, request, *args, **kwargs):
        authority = selectors.authority_of(request.user)
        if authority is not None and not selectors.approval_settings(
            authority=authority, module=self.settings_module
        ):
            self.template_name = "workflows/admin/settings_required.html"
            self.settings_missing = True
        return super().dispatch(request, *args, **kwargs)


class MySeatView(SettingsRequiredMixin, RoleView):
    role = Role.APPROVER
    page_title = gettext_lazy("My approval seat")
    header_icon = "key"
    template_name = "accounts/admin/my_seat.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "seat": self.request.user.approver_seat}
