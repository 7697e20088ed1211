from itertools import groupby

from portal.reference.models import Port


def designated_ports_by_district() -> list[tuple]:
    """Live designated drug import ports grouped by their customs district."""
    ports = (
        Port.objects.live()
        .filter(is_designated_drug_port=True, customs_district__live=True)
        .select_related("customs_district")
        .order_by("customs_district__code", "code")
    )
    return [
        (district, list(items))
        for district, items in groupby(ports, key=lambda p: p.customs_district)
    ]


def feedback_for_enterprise(user):
    """The feedback of the user's own enterprise (an agent reads the owner's too)."""
    from .models import Feedback

    membership = getattr(user, "membership", None)
    if membership is None or not membership.is_active:
        return Feedback.objects.none()
    return Feedback.objects.filter(enterprise_id=membership.enterprise_id)


def module_help_page(module: str):
    from .models import ModuleHelpPage

    return ModuleHelpPage.objects.live().filter(module=module).first()


def guidance_page(module: str):
    """The live guidance page editors chose for the filing system ``module`` (the first
    in the tree when several are), or None: one query, whatever the form holds."""
    from .models import GuidancePage

    if not module:
        return None
    return GuidancePage.objects.live().filter(module=module).order_by("path").first()
