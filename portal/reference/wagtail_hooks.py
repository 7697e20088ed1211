from django.conf import settings
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from portal.admin_columns import DataColumnsMixin

from . import models as m


class ReferenceIndexView(DataColumnsMixin, IndexView):
    # The Chinese names (and statutory units) are the lists' data; name_en is English.
    data_columns = ("name_zh", "unit")


class LocalizedSnippetViewSet(SnippetViewSet):
    """Wagtail's snippet viewset with its breadcrumb labels translated on each request.

    Wagtail builds them with ``gettext`` once, when the admin URLs are first loaded, so
    "Home" stayed in whichever language the first request had (usually "首页").
    """

    @property
    def breadcrumbs_items(self):
        items = [{"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}]
        if (
            getattr(settings, "WAGTAILSNIPPETS_MENU_SHOW_ALL", False)
            or not self.get_menu_item_is_registered()
        ):
            items.append({"url": reverse_lazy("wagtailsnippets:index"), "label": _("Snippets")})
        return items


def reference_viewset(model_, columns=(), filters=()):
    return type(
        f"{model_.__name__}ViewSet",
        (LocalizedSnippetViewSet,),
        {
            "model": model_,
            "index_view_class": ReferenceIndexView,
            "list_display": ["code", "name_zh", "name_en", *columns],
            "list_filter": list(filters),
            "search_fields": ["code", "name_zh", "name_en"],
            "ordering": ["code"],
            "list_per_page": 50,
        },
    )


class ConditionalAttachmentTypeViewSet(LocalizedSnippetViewSet):
    """The attachment types systems add when a condition holds: renamed here, never added
    (the portal declares them by key) nor deleted (its rules name them)."""

    model = m.ConditionalAttachmentType
    index_view_class = ReferenceIndexView
    list_display = ["name_zh", "name_en", "key"]
    ordering = ["sort_order"]
    list_per_page = 50


class ReferenceDataGroup(SnippetViewSetGroup):
    menu_label = _("Reference data")
    menu_name = "reference-data"
    menu_icon = "list-ul"
    menu_order = 250
    items = (
        reference_viewset(m.Authority, ["kind", "province"], ["kind", "province"]),
        reference_viewset(m.CustomsDistrict),
        reference_viewset(
            m.Port, ["customs_district", "is_designated_drug_port"], ["is_designated_drug_port"]
        ),
        reference_viewset(
            m.HSCode,
            ["unit", "is_iron_ore", "is_key_agricultural"],
            ["is_iron_ore", "is_key_agricultural", "electronic_licence_eligible"],
        ),
        reference_viewset(m.DosageForm),
        reference_viewset(m.Carrier),
        reference_viewset(m.Country, ["alpha3"]),
        reference_viewset(m.Currency, ["numeric"]),
        reference_viewset(m.TradeMode),
        reference_viewset(m.Purpose, ["module"], ["module"]),
        ConditionalAttachmentTypeViewSet,
        reference_viewset(m.Region, ["level", "parent"], ["level"]),
    )


register_snippet(ReferenceDataGroup)
