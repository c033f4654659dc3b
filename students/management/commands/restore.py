"""Restore a backup archive into an empty database and media folder."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from common import backups


class Command(BaseCommand):
    help = "从备份压缩包恢复到一个空数据库和空的上传文件目录（不会覆盖现有数据）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（make backup 生成的 .tar.gz）")

    def handle(self, *args, file, **options):
        try:
            manifest = backups.restore(
                archive=file, connection=connection, media_root=settings.MEDIA_ROOT
            )
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(self.style.SUCCESS(f"已恢复 {manifest['created']} 的备份：{file}"))
