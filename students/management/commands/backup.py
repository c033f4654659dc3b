"""Back up the database and the uploaded files into one archive (README "Backups")."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from common import backups


class Command(BaseCommand):
    help = "备份数据库和上传文件到 var/backups/ 下一个带时间戳的压缩包。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(settings.VAR_DIR / "backups"),
            help="备份目录（默认 var/backups/）。",
        )

    def handle(self, *args, output_dir, **options):
        try:
            archive = backups.backup(
                connection=connection, media_root=settings.MEDIA_ROOT, dest_dir=output_dir
            )
        except backups.BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(self.style.SUCCESS(f"已备份：{archive}"))
