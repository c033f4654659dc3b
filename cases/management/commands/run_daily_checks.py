import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.ladder.scan import run_daily_checks
from students.models import County


class Command(BaseCommand):
    help = "运行每日检查：缺课扫描、升级阶梯、复学核验、逾期提醒（与定时任务相同）。"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD，默认今天")
        parser.add_argument("--county", help="县（区）名称，默认全部")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, date, county, json: bool, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from None
        county_obj = None
        if county:
            county_obj = County.objects.filter(name=county).first()
            if county_obj is None:
                raise CommandError(f"没有名为“{county}”的县（区）")
        result = run_daily_checks(on=on, county=county_obj).as_dict()
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(
                f"{on}：新建个案 {result['cases_opened']}，升级 {result['escalated']}，返校 {result['returned']}，"
                f"销号 {result['closed']}，新待办 {result['todos_created']}，逾期 {result['overdue']}。"
            )


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
