"""An approver's seats across systems, each with how many filings wait in its to-do list.

Read by the back office's "My approval seats" page and the dashboard's role panel.
Each count is the to-do queue itself (``filings.selectors.queue``, through the
``filing_queue`` index), and stops at ``COUNT_LIMIT``: past it the page says "more
than" instead of counting every row.
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from filings import registry
from filings.selectors import queue
from portal.accounts.selectors import seats_of

COUNT_LIMIT = 1000


def waiting_count(user, system_key: str, limit: int = COUNT_LIMIT) -> tuple[int, bool]:
    """How many filings wait in the user's to-do list of one system (at most ``limit``),
    and whether that is exact."""
    counted = queue(user, system_key).order_by()[: limit + 1].count()
    return min(counted, limit), counted <= limit


def count_label(count: int, exact: bool) -> str:
    if exact:
        return f"{count:,}"
    return _("more than %(n)s") % {"n": f"{count:,}"}


def seat_rows(user) -> list[dict]:
    """One row per active seat of ``user``: system, authority, stage, waiting, to-do link."""
    rows = []
    for system_key, seat in seats_of(user).items():
        system = registry.find(system_key)
        stage = system.stage_for_level(seat.level) if system else None
        row = {
            "seat": seat,
            "system": system,
            "system_label": system.label if system else seat.get_system_display(),
            "authority": seat.authority.localized_name,
            "stage": stage.label if stage else seat.level,
            "url": "",
            "count": None,
            "count_exact": True,
            "count_label": "",
        }
        if system is not None and system.stages:
            try:
                row["url"] = reverse(f"{system.admin_slug}:todo")
            except NoReverseMatch:
                row["url"] = ""
            count, exact = waiting_count(user, system_key)
            row.update(count=count, count_exact=exact, count_label=count_label(count, exact))
        rows.append(row)
    order = {system.key: i for i, system in enumerate(registry.all_systems())}
    rows.sort(key=lambda row: order.get(row["seat"].system, len(order)))
    return rows
