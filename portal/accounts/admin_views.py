"""Back-office pages of the roles that are not editors: seat, authority, jurisdiction,
and the administrators' regulators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal.pagination import paginate, url_pattern

from . import selectors, services
from .forms import RegulatorChangeForm, RegulatorForm
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
    page_title = gettext_lazy("Enterprises in my jurisdiction")
    header_icon = "site"
    template_name = "accounts/admin/jurisdiction_enterprises.html"

    def dispatch(self, request, *args, **kwargs):
        # A disabled regulator has no jurisdiction.
        if role_of(request.user) == self.role and selectors.jurisdiction_of(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # By division code, so the list groups by district and the code's index serves it.
        page, problem = paginate(
            self.request,
            selectors.enterprises_for_regulator(user=self.request.user),
            ("division_code", "pk"),
        )
        if problem:
            messages.warning(self.request, problem)
        return {
            **super().get_context_data(**kwargs),
            "region": selectors.jurisdiction_of(self.request.user),
            "page": page,
        }


class GatedAdminView(WagtailAdminTemplateMixin, TemplateView):
    """A back-office page for some administrators only: ``may_view`` decides (403
    otherwise), then ``load`` finds the object the page is about."""

    def may_view(self, request) -> bool:
        return False  # closed unless a page says who may see it

    def dispatch(self, request, *args, **kwargs):
        if not self.may_view(request):
            raise PermissionDenied
        self.load(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, **kwargs) -> None:
        """Find the object the page is about, once the user may see the page at all."""

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]


class RegulatorAdminView(GatedAdminView):
    """Pages of the administrators of regulators: a superuser, or a drug administration's
    administrator for regulators within its province."""

    def may_view(self, request) -> bool:
        self.own_region = selectors.administrable_region(request.user)
        return self.own_region is not None

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "own_region": self.own_region}


class RegulatorListView(RegulatorAdminView):
    page_title = gettext_lazy("Regulators")
    header_icon = "view"
    template_name = "accounts/admin/regulators.html"

    def get_context_data(self, **kwargs):
        page, problem = paginate(
            self.request, selectors.regulators_of_admin(self.request.user), ("-pk",)
        )
        if problem:
            messages.warning(self.request, problem)
        edit_url = url_pattern("regulator_edit")
        rows = [(regulator, edit_url(regulator.pk)) for regulator in page]
        return {**super().get_context_data(**kwargs), "page": page, "rows": rows}


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class RegulatorCreateView(RegulatorAdminView, FormView):
    page_title = gettext_lazy("New regulator")
    header_icon = "plus"
    template_name = "accounts/admin/regulator_form.html"
    form_class = RegulatorForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "within": self.own_region}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            regulator = services.create_regulator(
                actor=self.request.user,
                username=data["username"],
                password=data["password"],
                region=data["region"],
                modules=data["modules"],
            )
        except ValidationError as error:
            _form_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Regulator %(user)s created for %(region)s.")
            % {"user": regulator.user.username, "region": regulator.region.localized_name},
        )
        return redirect("regulators")


class RegulatorEditView(RegulatorAdminView, FormView):
    page_title = gettext_lazy("Change a regulator")
    header_icon = "edit"
    template_name = "accounts/admin/regulator_form.html"
    form_class = RegulatorChangeForm

    def load(self, **kwargs) -> None:
        # Another administrator's regulator does not exist for this one (404).
        self.regulator = selectors.regulator_for_admin(
            user=self.request.user, regulator_id=kwargs["pk"]
        )

    def get_initial(self):
        return {
            "region": self.regulator.region_id,
            "modules": self.regulator.granted_modules(),
            "is_active": self.regulator.is_active,
        }

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "within": self.own_region}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "regulator": self.regulator}

    def form_valid(self, form):
        services.update_regulator(
            actor=self.request.user,
            regulator=self.regulator,
            region=form.cleaned_data["region"],
            modules=form.cleaned_data["modules"],
            active=form.cleaned_data["is_active"],
        )
        messages.success(self.request, _("Regulator saved."))
        return redirect("regulators")
