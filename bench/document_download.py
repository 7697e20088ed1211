"""p95 of downloading an issued certificate (its kept bytes) against rendering it.

    make bench          (or: uv run python bench/document_download.py)

Both in this run, on the same approved certificate of the bench database: the
download is what the download views do (the kept row, the stored file read
through Django's default storage, the PDF response); the render is what every
download cost before documents were kept.  Runs: ``BENCH_DOWNLOAD_RUNS``
(default 300) and ``BENCH_RENDER_RUNS`` (default 20).  Goal: download p95 <= 20 ms.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _setup  # noqa: E402  (Django, the bench database)

DOWNLOAD_RUNS = _setup.env_int("BENCH_DOWNLOAD_RUNS", 300)
RENDER_RUNS = _setup.env_int("BENCH_RENDER_RUNS", 20)


def p95(times):
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def timed(work, runs):
    times = []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        size = len(work())
        times.append(time.perf_counter() - started)
    return times, size


def main():
    _setup.ensure_data()
    from documents import services
    from documents.models import Certificate
    from documents.views import pdf_response

    certificate = Certificate.objects.filter(system=_setup.SYSTEM, status="ISSUED").first()
    services.keep(certificate)  # issued: kept once (the task's work)

    def download():
        fresh = Certificate.objects.get(pk=certificate.pk)
        return pdf_response(services.certificate_pdf(fresh), f"{fresh.number}.pdf").content

    def render():
        return services.render_certificate_pdf(Certificate.objects.get(pk=certificate.pk))

    render()  # warm-up: fontconfig, template loading
    download()
    kept, size = timed(download, DOWNLOAD_RUNS)
    rendered, _ = timed(render, RENDER_RUNS)
    print(
        f"certificate download (kept bytes): p95 {p95(kept) * 1000:.1f} ms over {DOWNLOAD_RUNS} "
        f"runs ({size / 1024:.0f} KiB)   (goal <= 20 ms)"
    )
    render_p95 = p95(rendered) * 1000
    print(f"same certificate rendered:         p95 {render_p95:.1f} ms over {RENDER_RUNS} runs")
    print(f"ratio render / download:           {p95(rendered) / p95(kept):.0f}x")


if __name__ == "__main__":
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    main()
