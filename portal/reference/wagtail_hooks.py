from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import models as m


def reference_viewset(model_, columns=(), filters=()):
    return type(
        f"{model_.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": model_,
            "list_display": ["code", "name_zh", "name_en", *columns],
            "list_filter": list(filters),
            "search_fields": ["code", "name_zh", "name_en"],
            "ordering": ["code"],
            "list_per_page": 50,
        },
    )


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
    )


register_snippet(ReferenceDataGroup)
