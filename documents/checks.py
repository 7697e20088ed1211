"""Startup checks: PDFs need HarfBuzz subsetting and a CJK font.

Without ``libharfbuzz-subset0`` WeasyPrint falls back to fontTools and a
one-page Chinese document takes seconds instead of a tenth of one; without a
CJK font the Chinese text is missing.  Both fail loudly here.
"""

import shutil
import subprocess

from django.core.checks import Error, register


def harfbuzz_subset_available() -> bool:
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


def cjk_fonts() -> list[str]:
    """Font families fontconfig offers for Simplified Chinese."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    result = subprocess.run(
        [fc_list, ":lang=zh-cn", "family"], capture_output=True, text=True, timeout=30
    )
    return sorted({line.strip() for line in result.stdout.splitlines() if line.strip()})


@register()
def pdf_dependencies(app_configs=None, **kwargs):
    errors = []
    if not harfbuzz_subset_available():
        errors.append(
            Error(
                "HarfBuzz subsetting (libharfbuzz-subset >= 4.1) is missing: Chinese PDFs "
                "would take seconds per page.",
                hint="Install it: apt-get install -y libharfbuzz-subset0 (make deps does).",
                id="documents.E001",
            )
        )
    if not any("CJK SC" in family for family in cjk_fonts()):
        errors.append(
            Error(
                "No Simplified Chinese font (Noto CJK SC) is installed: PDFs would lose "
                "their Chinese text.",
                hint="Install it: apt-get install -y fonts-noto-cjk (make deps does).",
                id="documents.E002",
            )
        )
    return errors
