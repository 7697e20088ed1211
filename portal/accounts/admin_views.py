"""Back-office pages of the roles that are not editors: seat, authority, jurisdiction."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import selectors
from .roles import Role, role_of


class RoleView(WagtailAdminTemplateMixin, TemplateView):
    role: Role

    def dispatch(self, request, *args, **kwargs):
        if role_of(request.user) != self.role:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class JurisdictionEnterprisesView(RoleView):
    role = Role.REGULATOR
    page_title = _("Enterprises in my jurisdiction")
    header_icon = "site"
    template_name = "accounts/admin/jurisdiction_enterprises.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "regulator": self.request.user.regulator,
            "enterprises": selectors.enterprises_for_regulator(user=self.request.user),
        }
