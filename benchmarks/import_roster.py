"""How long a big roster sheet takes to check, commit and re-import.

Run by hand (it builds its own throwaway test database):

    DJANGO_DEBUG=1 .venv/bin/python benchmarks/import_roster.py [ROWS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kongchuo_bench DJANGO_DEBUG=1 \
        .venv/bin/python benchmarks/import_roster.py 10000
"""

import datetime
import io
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongchuo.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    setup_test_environment,
    teardown_databases,
)
from openpyxl import Workbook  # noqa: E402

HEADER = [
    "序号",
    "村名",
    "户主姓名",
    "学生姓名",
    "性别",
    "出生日期",
    "身份证号码",
    "就读学校",
    "就读年级班级",
    "联系电话",
    "是否脱贫户/监测户",
    "入学状态",
    "是否特殊群体",
]


def sheet(n):
    from students.idcard import check_char

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["基准镇适龄儿童少年底数台账（基准村）"])
    ws.append(HEADER)
    for i in range(n):
        birth = datetime.date(2012, 1, 1) + datetime.timedelta(days=i % 3000)
        first17 = f"{360000 + i // 500:06d}{birth:%Y%m%d}{1 + 2 * (i % 500):03d}"
        grade = min(9, max(1, 2026 - birth.year - 6))
        ws.append(
            [
                i + 1,
                "基准村",
                f"户主{i // 2}",
                f"学生{i}",
                "男",
                birth.isoformat(),
                first17 + check_char(first17),
                "基准学校",
                f"{grade}年级1班",
                "13800000000",
                "否",
                "在读",
                "留守儿童" if i % 5 == 0 else "否",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def timed(label, fn):
    tracemalloc.start()
    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        batch = fn()
        seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(
        f"{label:<22}{seconds:>8.2f} s{peak:>9.0f} MB peak{len(ctx.captured_queries):>8} queries"
        f"   created {batch.created}, updated {batch.updated}, unchanged {batch.unchanged}, errors {len(batch.errors)}"
    )
    return batch


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        from students import importing
        from students.models import County, ImportBatch, School, Township, Village

        county = County.objects.create(name="基准县")
        township = Township.objects.create(county=county, name="基准镇")
        village = Village.objects.create(township=township, name="基准村")
        School.objects.create(name="基准学校", kind="nine_year", township=township)
        content = sheet(n)
        print(f"{connection.vendor}: {n} rows, {len(content) / 2**20:.1f} MB xlsx")

        def new_batch():
            batch = ImportBatch(
                kind="roster", county=county, village=village, filename="bench.xlsx"
            )
            batch.file.save("bench.xlsx", ContentFile(content), save=True)
            return batch

        timed("check (preview)", lambda: importing.check(new_batch()))
        timed("commit", lambda: importing.commit(new_batch()))
        timed("re-import (no change)", lambda: importing.commit(new_batch()))
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
