"""Excel export of every application (100,000 at full size), end to end, against its floor.

    make bench          (or: uv run python bench/excel_export.py)

Prints rows per second, the peak RSS growth of the export, and the ratio of
its time to a bare openpyxl write-only loop writing the same cells (the
floor: openpyxl's own, no query, rows already in memory), both measured in
this run.  The
export runs in a child process so its memory is its own.
"""

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
COLUMNS = 15


def child():
    import _setup  # (Django, the bench database)
    from _setup import approver, peak_rss_mb, rss_mb

    from documents import jobs
    from documents.models import DocumentJob
    from filings import registry

    owner = approver()
    kind = DocumentJob.Kind.APPLICATION_EXPORT
    system = registry.get(_setup.SYSTEM)
    base = rss_mb()
    with tempfile.TemporaryFile() as target:
        started = time.perf_counter()
        rows = jobs.write_export(kind, owner, system, {"filters": {}}, target)
        elapsed = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": elapsed, "rss_growth_mb": peak_rss_mb() - base}))


def floor(rows):
    from openpyxl import Workbook

    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("floor")
    sheet.append([f"列{i}" for i in range(COLUMNS)])
    for row in rows:
        sheet.append(row)
    with tempfile.TemporaryFile() as target:
        workbook.save(target)
    return time.perf_counter() - started


def main():
    sys.path.insert(0, str(HERE))
    import _setup

    _setup.ensure_data()
    result = subprocess.run(
        [sys.executable, __file__, "--child"], capture_output=True, text=True, check=True
    )
    ours = json.loads(result.stdout.strip().splitlines()[-1])

    from filings import registry
    from filings.selectors import filings_for_authority

    system = registry.get(_setup.SYSTEM)
    rows = list(system.export_rows(filings_for_authority(_setup.approver(), system.key)))
    assert len(rows) == ours["rows"] and len(rows[0]) == COLUMNS
    bare = floor(rows)
    print(f"rows exported:           {ours['rows']:,}")
    rate = ours["rows"] / ours["seconds"]
    print(f"export, end to end:      {ours['seconds']:.2f} s = {rate:,.0f} rows/s")
    print(f"openpyxl floor:          {bare:.2f} s = {len(rows) / bare:,.0f} rows/s")
    print(f"ratio to the floor:      {ours['seconds'] / bare:.2f}x   (goal <= 1.3x)")
    print(f"peak RSS growth:         {ours['rss_growth_mb']:.1f} MB   (goal <= 100 MB)")


if __name__ == "__main__":
    if "--child" in sys.argv:
        sys.path.insert(0, str(HERE))
        child()
    else:
        main()
