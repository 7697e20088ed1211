"""Goods lines from Excel: 10,000 rows read, cleaned and checked, against openpyxl alone.

    make bench          (or: uv run python bench/line_import.py)

Writes a goods workbook of ``BENCH_LINE_ROWS`` rows (default 10,000; one in
500 deliberately bad) for the audio-video import approval, then, alternately
in fresh child processes (so each peak RSS is its own), ``BENCH_LINE_RUNS``
times (default 5):

- baseline: openpyxl's read-only mode iterating every row's values, nothing else;
- import: ``workflows.services.stage_line_import`` on a new draft (the safe
  open, every cell cleaned by the line form's fields, the line rules, the
  staged rows saved), then ``confirm_line_import`` (the lines inserted).

Prints rows/s and peak RSS growth of each (median of the runs) and the ratios.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROWS = int(os.environ.get("BENCH_LINE_ROWS") or 10_000)
RUNS = int(os.environ.get("BENCH_LINE_RUNS") or 5)
HEADERS = [
    "节目名称（中文）*",
    "节目名称（原文）*",
    "载体*",
    "语种*",
    "来源国家（地区）*",
    "版权所有者或出版者*",
    "数量*",
    "单位*",
    "单价*",
    "币制*",
    "总价*",
]


def write_file(path: Path) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("商品信息")
    sheet.append(HEADERS)
    carriers = ["CD 激光唱盘（CD）", "DVD", "BD", "LP 黑胶唱片"]
    for n in range(1, ROWS + 1):
        quantity, price = 10 + n % 90, round(1.5 + (n % 37) * 0.25, 2)
        sheet.append(
            [
                f"基准节目{n}",
                f"Benchmark programme {n}",
                carriers[n % 4],
                "英语",
                "GB" if n % 3 else "美国",
                "Benchmark Records Ltd",
                quantity,
                "张",
                price,
                "USD",
                "坏" if n % 500 == 0 else round(quantity * price, 2),
            ]
        )
    book.save(path)
    return path.stat().st_size


def _office_and_owner():
    import _setup

    from filings.selectors import approval_settings
    from portal.accounts import services as accounts
    from portal.reference.models import Authority
    from workflows.services import save_approval_settings

    office = Authority.objects.get(code="AV-000000")
    accounts.create_approver(
        username="bench-av", password=None, authority=office, system="AV_IMPORT", level=1
    )
    admin = accounts.create_authority_admin(
        username="bench-av-admin", password=None, authority=office
    )
    if approval_settings(authority=office, system="AV_IMPORT") is None:
        save_approval_settings(
            actor=admin.user,
            authority=office,
            system="AV_IMPORT",
            values={
                "name_zh": office.name_zh,
                "phone": "010-55550100",
                "address": "北京市",
                "postcode": "100000",
                "contact": "审批处",
            },
        )
    return office, _setup.busiest_owner()[0]


def child(mode: str, path: str):
    import _setup

    if mode == "baseline":
        from openpyxl import load_workbook

        base = _setup.rss_mb()
        started = time.perf_counter()
        book = load_workbook(path, read_only=True, data_only=True)
        rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True)) - 1
        book.close()
        seconds = time.perf_counter() - started
        print(
            json.dumps(
                {"seconds": seconds, "rows": rows, "rss_growth_mb": _setup.peak_rss_mb() - base}
            )
        )
        return
    from django.core.files.uploadedfile import SimpleUploadedFile

    from filings import registry
    from workflows import services

    office, owner = _office_and_owner()
    draft = services.create_draft(
        system=registry.get("AV_IMPORT"), actor=owner, values={"authority": office}
    )
    upload = SimpleUploadedFile("goods.xlsx", Path(path).read_bytes())
    base = _setup.rss_mb()
    started = time.perf_counter()
    staged = services.stage_line_import(filing=draft, actor=owner, uploaded_file=upload)
    staging = time.perf_counter() - started
    peak = _setup.peak_rss_mb() - base
    started = time.perf_counter()
    added = services.confirm_line_import(filing=draft, actor=owner, staged=staged)
    confirming = time.perf_counter() - started
    services.delete_draft(filing=draft, actor=owner)
    print(
        json.dumps(
            {
                "seconds": staging,
                "rows": len(staged.accepted) + len({r for r, _c, _m in staged.rejected}),
                "rejected": len(staged.rejected),
                "added": added,
                "confirm_seconds": confirming,
                "rss_growth_mb": peak,
            }
        )
    )


def _run(mode, path):
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)], capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"{mode} run failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    import _setup

    _setup.ensure_data()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "goods.xlsx"
        size = write_file(path)
        runs = {"baseline": [], "import": []}
        for _ in range(RUNS):
            for mode in runs:
                runs[mode].append(_run(mode, path))
    base, imp = runs["baseline"], runs["import"]

    def med(rows, key):
        return statistics.median(r[key] for r in rows)

    b_rate, i_rate = ROWS / med(base, "seconds"), ROWS / med(imp, "seconds")
    print(f"goods file:              {ROWS:,} rows, {size / 1024:.0f} KiB, {RUNS} runs each")
    print(
        f"openpyxl read-only only: {med(base, 'seconds'):.2f} s = {b_rate:,.0f} rows/s,"
        f" peak RSS growth {med(base, 'rss_growth_mb'):.1f} MB"
    )
    print(
        f"import (read + check):   {med(imp, 'seconds'):.2f} s = {i_rate:,.0f} rows/s,"
        f" peak RSS growth {med(imp, 'rss_growth_mb'):.1f} MB"
        f" ({imp[0]['rejected']} rows rejected)"
    )
    print(
        f"confirm (insert lines):  {med(imp, 'confirm_seconds'):.2f} s for"
        f" {imp[0]['added']:,} lines"
    )
    print(
        f"import / openpyxl:       time {med(imp, 'seconds') / med(base, 'seconds'):.2f}x,"
        f" peak memory {med(imp, 'rss_growth_mb') / max(med(base, 'rss_growth_mb'), 0.1):.2f}x"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if "--child" in sys.argv:
        child(sys.argv[-2], sys.argv[-1])
    else:
        main()
