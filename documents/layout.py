"""The certificate's print layout (套打): where each value goes on pre-printed paper.

Positions are millimetres from the top-left corner of an A4 sheet, sizes are
points.  ``DEFAULT_LAYOUT`` is the standard position; an authority's saved
``CertificateLayout`` overrides it field by field.
"""

from django.utils.translation import gettext_lazy as _

# field -> (label, x mm, y mm, font size pt)
DEFAULT_LAYOUT = {
    "certificate_number": (_("Certificate number"), 140, 42, 12),
    "enterprise_name": (_("Importer or exporter"), 52, 62, 11),
    "enterprise_address": (_("Address"), 52, 72, 10),
    "drug_name": (_("Drug name"), 52, 84, 11),
    "hs_code": (_("HS code"), 150, 84, 10),
    "dosage_form": (_("Dosage form"), 52, 94, 10),
    "goods": (_("Specification, quantity and manufacturer (one line per goods line)"), 52, 106, 10),
    "country": (_("Country or region"), 52, 142, 10),
    "ports": (_("Ports"), 52, 152, 10),
    "purpose": (_("Purpose"), 52, 162, 10),
    "valid_until": (_("Valid until"), 52, 174, 11),
    "remarks": (_("Remarks"), 52, 186, 9),
    "authority": (_("Issuing authority"), 120, 236, 11),
    "issue_date": (_("Issue date"), 120, 246, 11),
    "verification": (_("Verification code and QR"), 20, 240, 8),
}

LIMITS = {"x": (0, 200), "y": (0, 287), "size": (5, 28)}


def resolve(saved: dict | None) -> dict:
    """Every field's position and size: the saved value where valid, else the default."""
    saved = saved or {}
    layout = {}
    for name, (label, x, y, size) in DEFAULT_LAYOUT.items():
        value = {"label": label, "x": x, "y": y, "size": size}
        for key in ("x", "y", "size"):
            try:
                number = float(saved.get(name, {}).get(key))
            except (TypeError, ValueError, AttributeError):
                continue
            low, high = LIMITS[key]
            if low <= number <= high:
                value[key] = number
        layout[name] = value
    return layout
