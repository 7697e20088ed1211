"""PDF renderer: a template and its context in, PDF bytes out (WeasyPrint).

Official documents are Chinese whatever the reader's interface language, so
every render runs under zh-hans.  Fonts come from fontconfig (Debian
``fonts-noto-cjk``) and are subset by HarfBuzz (``libharfbuzz-subset0``);
``documents.checks`` refuses to start without either.
"""

import threading

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# WeasyPrint is imported at the first render, not here: importing it costs about 1.5 s,
# and every process imports this module at start (through the admin URLs), while the
# outbox worker and the simulator never render and the web server rarely does.

_local = threading.local()


def _font_config():
    # One per thread: building it costs more than a small render, sharing it
    # across threads is not documented as safe.
    if not hasattr(_local, "font_config"):
        from weasyprint.text.fonts import FontConfiguration

        _local.font_config = FontConfiguration()
    return _local.font_config


def qr_data_uri(text: str) -> str:
    """A QR code of ``text`` as an SVG data URI, for an <img> in a document."""
    return segno.make(text, error="m").svg_data_uri(scale=4, border=0)


def _document(template_name: str, context: dict):
    with translation.override("zh-hans"):
        html = render_to_string(template_name, context)
    from weasyprint import HTML

    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_font_config())


def render(template_name: str, context: dict) -> bytes:
    return _document(template_name, context).write_pdf()


def render_many(parts, progress=None) -> bytes:
    """Several (template, context) documents as one PDF; ``progress(n)`` after each."""
    documents = []
    for n, (template_name, context) in enumerate(parts, start=1):
        documents.append(_document(template_name, context))
        if progress:
            progress(n)
    if not documents:
        raise ValueError("nothing to render")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()
