"""Median render time of a one-page notice PDF, HarfBuzz subsetting vs fontTools.

    make bench          (or: uv run python bench/pdf_notice.py)

Both are measured in this run on the same notice; the fontTools figure is
what WeasyPrint falls back to without libharfbuzz-subset0.  Runs:
``BENCH_PDF_RUNS`` (default 30) and ``BENCH_PDF_FALLBACK_RUNS`` (default 3; 0 skips
the fallback, seconds a run).
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (Django, the bench database)

RUNS = _setup.env_int("BENCH_PDF_RUNS", 30)
FALLBACK_RUNS = _setup.env_int("BENCH_PDF_FALLBACK_RUNS", 3)


def timed(render, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        data = render()
        times.append(time.perf_counter() - started)
    return statistics.median(times), len(data)


def main():
    _setup.ensure_data()
    from django.utils import timezone

    from documents import pdf, services
    from documents.models import Notice, NoticeKind
    from filings.models import Filing

    filing = Filing.objects.filter(system=_setup.SYSTEM, status="FIRST_REVIEW").first()
    notice = Notice.objects.filter(filing=filing).first() or services.issue_notice(
        filing=filing,
        actor=_setup.approver(),
        kind=NoticeKind.ACCEPTANCE,
        number="京药监受〔2026〕1号",
        opinion="申请材料齐全，符合法定形式，予以受理。",
    )
    notice.issued_on = timezone.localdate()
    context = services.notice_context(notice)  # the database is not what is measured

    def render():
        return pdf.render("documents/notice.html", context)

    render()  # warm-up: fontconfig, template loading
    fast, size = timed(render, RUNS)
    print(
        f"one-page notice, HarfBuzz subsetting: median {fast:.3f} s over {RUNS} runs "
        f"({size / 1024:.0f} KiB)   (goal <= 0.15 s)"
    )
    if not FALLBACK_RUNS:
        print("same notice, fontTools fallback:      not measured (BENCH_PDF_FALLBACK_RUNS=0)")
        return
    from weasyprint.pdf import fonts

    saved, fonts.harfbuzz_subset = fonts.harfbuzz_subset, None
    try:
        slow, _ = timed(render, FALLBACK_RUNS)
    finally:
        fonts.harfbuzz_subset = saved
    print(f"same notice, fontTools fallback:      median {slow:.3f} s over {FALLBACK_RUNS} runs")
    print(f"ratio fallback / HarfBuzz:            {slow / fast:.0f}x")


if __name__ == "__main__":
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # the fallback's own warning
    main()
