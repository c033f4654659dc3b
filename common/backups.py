"""One archive holding the database and the uploaded files, and its restore.

The database goes in as a pg_dump (custom format) on PostgreSQL, or as a
consistent copy made with SQLite's online backup API (safe while the app
runs); MEDIA_ROOT goes in as `media/`. A restore goes only into an empty
database and an empty (or missing) media folder: it never merges into, or
overwrites, live data.

Knows no domain: the `backup` / `restore` commands (students/management/)
pass the connection and folders in.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.utils import timezone

PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
MANIFEST = "manifest.json"
MEDIA = "media"


class BackupError(Exception):
    """Something the person running the backup or restore must fix (Chinese)."""


def _is_postgres(settings_dict):
    return "postgresql" in settings_dict["ENGINE"]


def _pg_env(settings_dict):
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return env


def _pg_args(settings_dict):
    args = []
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [flag, str(settings_dict[key])]
    return args


def _run(cmd, env):
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} 失败：{done.stderr.strip()}")


def backup(*, connection, media_root, dest_dir):
    """Write kongchuo-<timestamp>.tar.gz under dest_dir; return its path."""
    dest_dir = Path(dest_dir)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = dest_dir / f"kongchuo-{stamp}.tar.gz"
    settings_dict = connection.settings_dict
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if _is_postgres(settings_dict):
            db_file = tmp / PG_DUMP
            _run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file",
                 str(db_file), *_pg_args(settings_dict), settings_dict["NAME"]],
                _pg_env(settings_dict),
            )  # fmt: skip
        else:
            db_file = tmp / SQLITE_COPY
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()
        manifest = {
            "created": timezone.now().isoformat(),
            "engine": "postgresql" if _is_postgres(settings_dict) else "sqlite",
            "database": db_file.name,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False))
        with tarfile.open(archive, "x:gz") as tar:
            tar.add(tmp / MANIFEST, arcname=MANIFEST)
            tar.add(db_file, arcname=db_file.name)
            media_root = Path(media_root)
            if media_root.is_dir():
                tar.add(media_root, arcname=MEDIA)
    os.chmod(archive, 0o600)  # children's data: readable by the owner only
    return archive


def restore(*, archive, connection, media_root):
    """Restore an archive into an empty database and an empty media folder."""
    archive, media_root = Path(archive), Path(media_root)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    if connection.introspection.table_names():
        raise BackupError("目标数据库不是空库：请先新建一个空数据库再恢复，恢复不会覆盖现有数据。")
    if media_root.exists() and any(media_root.iterdir()):
        raise BackupError(f"上传文件目录不是空的：{media_root}。请换一个空目录或先移走。")
    settings_dict = connection.settings_dict
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tmp = Path(tmp)
        _extract(tar, tmp)
        manifest = json.loads((tmp / MANIFEST).read_text())
        engine = "postgresql" if _is_postgres(settings_dict) else "sqlite"
        if manifest["engine"] != engine:
            raise BackupError(
                f"备份来自 {manifest['engine']} 数据库，当前配置的是 {engine}：请用同类数据库恢复。"
            )
        if engine == "postgresql":
            _run(
                ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                 *_pg_args(settings_dict), "--dbname", settings_dict["NAME"],
                 str(tmp / PG_DUMP)],
                _pg_env(settings_dict),
            )  # fmt: skip
        else:
            connection.close()
            source = sqlite3.connect(tmp / SQLITE_COPY)
            target = sqlite3.connect(settings_dict["NAME"])
            try:
                source.backup(target)
            finally:
                source.close()
                target.close()
        if (tmp / MEDIA).is_dir():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(tmp / MEDIA, media_root, dirs_exist_ok=True)
    return manifest


def _extract(tar, into):
    """Extract only plain files and folders that stay inside `into`."""
    root = Path(into).resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not target.is_relative_to(root):
            raise BackupError(f"备份文件中有不安全的条目：{member.name}")
    tar.extractall(root)
