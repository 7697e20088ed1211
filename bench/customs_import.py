"""准许证导入 of 10,000 certificates: time and peak memory of the streaming check.

    make bench          (or: uv run python bench/customs_import.py)

Writes a 10,000-record CertificateBatch (1 in 100 records deliberately
invalid), uploads it as an import batch of the benchmark authority and runs
the check (iterparse, XSD per record, bulk inserts) in a child process, so
the peak RSS growth is the import's own.  ``BENCH_IMPORT_RECORDS`` sets the
number of records (default 10,000).
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECORDS = int(os.environ.get("BENCH_IMPORT_RECORDS") or 10_000)


def write_file(path: Path) -> int:
    from customs import xml
    from portal.reference.models import Authority

    authority = Authority.objects.get(code="DA-110000")
    run = int(time.time()) % 100000
    with path.open("wb") as out:
        out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<CertificateBatch xmlns="{xml.NS}">\n'.encode())
        for n in range(RECORDS):
            element = xml.certificate_element(
                {
                    "system": "DRUG_PERMIT",
                    "number": f"ZZ{run:05d}{n:07d}",
                    "revision": 1,
                    "authority_code": authority.code,
                    "holder_name": f"基准测试医药有限公司{n % 300:03d}",
                    "holder_uscc": "91110108MA01C2D3XY" if n % 100 else "BAD",
                    "issue_date": date.today(),
                    "valid_until": date.today() + timedelta(days=365),
                    "content": {"direction": "IMPORT", "purpose": "医疗用途"},
                    "lines": [
                        {
                            "line_number": line,
                            "hs_code": "2937121000",
                            "name": "重组人胰岛素",
                            "quantity": "1000",
                            "unit": "支",
                            "details": {
                                "drug_name_en": "Recombinant human insulin",
                                "dosage_form": "注射剂",
                                "specification": "10ml:400IU",
                                "manufacturer": "Novo Nordisk A/S",
                                "country": "丹麦",
                            },
                        }
                        for line in (1, 2)
                    ],
                }
            )
            out.write(xml.etree.tostring(element) + b"\n")
        out.write(b"</CertificateBatch>\n")
    return path.stat().st_size


def child(path: str):
    import _setup
    from django.core.files import File

    from customs import imports
    from customs.models import ImportBatch
    from portal.accounts.selectors import seat_of

    owner = _setup.approver()
    with open(path, "rb") as handle:
        batch = ImportBatch.objects.create(
            authority_id=seat_of(owner, _setup.SYSTEM).authority_id,
            system=_setup.SYSTEM,
            uploaded_by=owner,
            file=File(handle, name="bench.xml"),
            original_name="bench.xml",
            size=Path(path).stat().st_size,
        )
    base = _setup.rss_mb()
    started = time.perf_counter()
    imports.check(batch)
    elapsed = time.perf_counter() - started
    batch.refresh_from_db()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "records": batch.done,
                "valid": batch.valid_count,
                "invalid": batch.invalid_count,
                "rss_growth_mb": _setup.peak_rss_mb() - base,
            }
        )
    )


def main():
    import _setup

    _setup.ensure_data()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "batch.xml"
        size = write_file(path)
        result = subprocess.run(
            [sys.executable, __file__, "--child", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    rate = figures["records"] / figures["seconds"]
    print(f"import file:             {RECORDS:,} certificates, {size / 1024 / 1024:.1f} MiB")
    print(
        f"checked:                 {figures['records']:,} records in {figures['seconds']:.2f} s"
        f" = {rate:,.0f} records/s ({figures['valid']:,} valid, {figures['invalid']:,} invalid)"
    )
    print(f"peak RSS growth:         {figures['rss_growth_mb']:.1f} MB")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    if "--child" in sys.argv:
        child(sys.argv[-1])
    else:
        main()
