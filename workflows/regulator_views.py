"""Regulators' back office for every system that declares ``regulator_reads`` (the export
drug archive, seed 002 二): search and read the submitted records of enterprises in one's
jurisdiction (a place in the region tree, and everything under it), every submitted
version with what changed, and export to Excel.  Every read goes through
``filings_for_regulator``: nothing outside the jurisdiction, no draft and no change in
progress is reachable."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from documents.admin_views import start_export
from documents.models import DocumentJob
from filings import versions
from filings.filters import regulator_filterset
from filings.selectors import filings_for_regulator
from portal.accounts.selectors import jurisdiction_of, regulator_may_read
from portal.pagination import paginate, url_pattern


class RegulatorView(WagtailAdminTemplateMixin, TemplateView):
    """A regulator granted the system's read right (查阅权限), else 403."""

    system = None

    def dispatch(self, request, *args, **kwargs):
        if not regulator_may_read(request.user, self.system.key):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def scoped(self):
        return filings_for_regulator(self.request.user, self.system.key)

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.system.admin_slug}:{name}", args=args)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_page_subtitle(self):
        region = jurisdiction_of(self.request.user)
        return (
            f"{self.system.label} · {region.localized_name}" if region else str(self.system.label)
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "system": self.system}


class RegulatorQueryView(RegulatorView):
    """档案查询: the jurisdiction's submitted records, filtered, paged, exportable."""

    template_name = "workflows/admin/regulator_query.html"
    header_icon = "search"
    page_title = _("Archive query")
    ordering = ("-last_published_at", "-id")

    def filterset(self):
        if not hasattr(self, "_filterset"):
            data = self.request.GET if self.request.method == "GET" else self.request.POST
            self._filterset = regulator_filterset(self.system.key)(
                data or None, queryset=self.scoped().select_related("enterprise")
            )
        return self._filterset

    def post(self, request, *args, **kwargs):
        """导出: the selected records, or every match; current versions or every version."""
        return start_export(
            request,
            self.system,
            kind=DocumentJob.Kind.APPLICATION_EXPORT,
            filters=self.filterset().active,
            scope="regulator",
            every_version=request.POST.get("versions") == "all",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = self.filterset()
        page, problem = paginate(self.request, filterset.qs, self.ordering, per_page=50)
        detail = url_pattern(f"{self.system.admin_slug}:regulator_detail")
        columns = self.system.staff_columns
        context.update(
            page=page,
            filterset=filterset,
            filters=filterset.active,
            problems=filterset.problems + ([problem] if problem else []),
            columns=[c.label for c in columns],
            rows=[
                {
                    "filing": f,
                    "url": detail(f.number),
                    "enterprise": f.enterprise.name_zh,
                    "uscc": f.enterprise.uscc,
                    "columns": [c.of(f) for c in columns],
                }
                for f in page
            ],
        )
        return context


class RegulatorRecordView(RegulatorView):
    """One record: the version in force, every submitted version, and what changed."""

    template_name = "workflows/admin/regulator_detail.html"
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not regulator_may_read(request.user, self.system.key):
            raise PermissionDenied
        self.filing = get_object_or_404(self.scoped(), number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return self.filing.number

    def shown(self):
        """The version shown: the one asked for (``?version=<revision>``) or the live one."""
        found = versions.submitted_versions(self.filing)
        asked = self.request.GET.get("version")
        if asked:
            return found, versions.pick(found, asked)
        return found, found[-1] if found else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        system, filing = self.system, self.filing
        found, shown = self.shown()
        obj = shown.as_object() if shown else filing
        before, after, comparison = versions.comparison(
            found, self.request.GET, system.header_columns
        )
        context.update(
            application=filing,
            versions=found,
            shown=shown,
            facts=[(c.label, c.of(obj)) for c in system.header_columns if c.applies(obj)],
            comparison=comparison,
            before=before,
            after=after,
        )
        return context
