"""The certificate's print layout (套打): where each value goes on pre-printed paper.

Positions are millimetres from the top-left corner of an A4 sheet, sizes are
points.  Each system declares its fields' standard places and boxes
(``certificate_layout``: label, x, y, size, width, height); an authority's saved
``CertificateLayout`` moves them and changes the sizes.  ``fit`` shrinks a
value's font until its wrapped lines fit the box, so nothing prints outside
it however long the value is.
"""

LIMITS = {"x": (0, 200), "y": (0, 287), "size": (5, 28)}
MIN_SIZE = 5.0
MM_PER_PT = 25.4 / 72
LINE_HEIGHT = 1.3


def resolve(defaults: dict, saved: dict | None) -> dict:
    """Every field's place, size and box: the saved value where valid, else the default."""
    saved = saved or {}
    layout = {}
    for name, (label, x, y, size, width, height) in defaults.items():
        value = {"label": label, "x": x, "y": y, "size": size, "w": width, "h": height}
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


def _em(char: str) -> float:
    """Approximate advance of one character in em (CJK full width, Latin about half)."""
    if ord(char) >= 0x2E80 or char in "　（）：、，。":
        return 1.0
    if char in "mwMW@":
        return 0.85
    return 0.56


def lines_needed(text: str, size: float, width_mm: float) -> int:
    """How many lines ``text`` wraps to in a box ``width_mm`` wide at ``size`` points."""
    capacity = width_mm / (size * MM_PER_PT)
    lines = 0
    for paragraph in str(text).split("\n"):
        used, count = 0.0, 1
        for char in paragraph:
            advance = _em(char)
            if used + advance > capacity and used > 0:
                count += 1
                used = 0.0
            used += advance
        lines += count
    return lines


def fit(text: str, size: float, width_mm: float, height_mm: float) -> float:
    """The largest size up to ``size`` at which ``text`` fits its box (at least MIN_SIZE)."""
    current = float(size)
    while current > MIN_SIZE:
        needed = lines_needed(text, current, width_mm) * current * MM_PER_PT * LINE_HEIGHT
        if needed <= height_mm:
            return current
        current = max(MIN_SIZE, current - 0.5)
    return MIN_SIZE
