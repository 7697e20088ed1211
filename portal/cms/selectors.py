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
