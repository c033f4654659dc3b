"""make backup / make restore: children, a case and an uploaded file come back
in a fresh database and media folder, through the real commands."""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection

from cases import services
from cases.models import Attachment, Case
from students.models import Child

BASE = Path(__file__).resolve().parent.parent

READ_BACK = """
import json, django
django.setup()
from django.core.files.storage import default_storage
from cases.models import Attachment, Case
from students.models import Child
print(json.dumps({
    "children": sorted(Child.objects.values_list("id_number", flat=True)),
    "cases": sorted(Case.objects.values_list("child__id_number", "state")),
    "files": sorted(
        (a.file.name, default_storage.open(a.file.name).read().decode())
        for a in Attachment.objects.all()
    ),
}))
"""


def manage(*args, database_url, media_root, check=True):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_MEDIA_ROOT=str(media_root),
        DJANGO_SETTINGS_MODULE="kongchuo.settings",
    )
    return subprocess.run(
        [sys.executable, *args], cwd=BASE, env=env, capture_output=True, text=True, check=check
    )


@pytest.fixture
def data(world, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    case = services.open_case_by_hand(child=world.c_class, by=world.school_admin, note="备份")
    Attachment.objects.create(
        case=case,
        file=ContentFile("劝学记录扫描件".encode(), name="scan.txt"),
        uploaded_by=world.school_admin,
    )
    return {
        "children": sorted(Child.objects.values_list("id_number", flat=True)),
        "cases": sorted(Case.objects.values_list("child__id_number", "state")),
        "files": [(a.file.name, "劝学记录扫描件") for a in Attachment.objects.all()],
    }


def back_up(tmp_path):
    call_command("backup", output_dir=str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("kongchuo-*.tar.gz")
    return archive


def restore_and_read(archive, *, database_url, media_root):
    done = manage("manage.py", "restore", str(archive), database_url=database_url,
                  media_root=media_root)  # fmt: skip
    assert "已恢复" in done.stdout
    out = manage("-c", READ_BACK, database_url=database_url, media_root=media_root)
    return json.loads(out.stdout)


@pytest.mark.sqlite  # the SQLite copy
@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_restores_children_cases_and_files(data, tmp_path):
    archive = back_up(tmp_path)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "database.sqlite3" in names
    assert any(n.startswith("media/evidence/") for n in names)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    restored = restore_and_read(archive, database_url=fresh, media_root=tmp_path / "restored")
    assert restored["children"] == data["children"]
    assert [tuple(c) for c in restored["cases"]] == data["cases"]
    assert [tuple(f) for f in restored["files"]] == data["files"]

    # A second restore onto the now non-empty database is refused.
    again = manage("manage.py", "restore", str(archive), database_url=fresh,
                   media_root=tmp_path / "other", check=False)  # fmt: skip
    assert again.returncode != 0
    assert "不是空库" in again.stderr


@pytest.mark.postgres  # pg_dump
@pytest.mark.django_db(transaction=True)
def test_postgres_backup_restores_children_cases_and_files(data, tmp_path):
    archive = back_up(tmp_path)
    with tarfile.open(archive) as tar:
        assert "database.pgdump" in tar.getnames()
    s = connection.settings_dict
    fresh_name = f"kongchuo_restore_{uuid.uuid4().hex[:8]}"
    auth = f"{s['USER']}:{s['PASSWORD']}@" if s.get("PASSWORD") else f"{s['USER']}@"
    fresh = f"postgres://{auth}{s['HOST']}:{s['PORT'] or 5432}/{fresh_name}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh_name}"')
    try:
        restored = restore_and_read(archive, database_url=fresh, media_root=tmp_path / "restored")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh_name}" WITH (FORCE)')
    assert restored["children"] == data["children"]
    assert [tuple(c) for c in restored["cases"]] == data["cases"]
    assert [tuple(f) for f in restored["files"]] == data["files"]
