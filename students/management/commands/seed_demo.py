"""Fill the database with 示范县 demo data and print the demo logins.

Idempotent: a second run creates nothing new, but resets the demo users'
password (`students.demo.DEMO_PASSWORD`) and memberships. `--markdown`
prints README's demo-login table from the data.
"""

import time

from django.core.management.base import BaseCommand

from students import demo


class Command(BaseCommand):
    help = "生成示范县演示数据（乡镇、村、学校、约400户700名儿童）和各角色演示账号。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="不打印演示账号表，只打印一行汇总。"
        )
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="另外打印 README 的演示账号表（Markdown，由数据生成）。",
        )

    def handle(self, *args, quiet=False, markdown=False, **options):
        started = time.monotonic()
        result = demo.seed()
        if not quiet:
            self.stdout.write("演示账号：")
            for line in demo.format_logins():
                self.stdout.write("  " + line)
        if markdown:
            self.stdout.write("\n".join(demo.readme_table()))
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"{result.summary()}（用时 {elapsed:.1f} 秒）"))
