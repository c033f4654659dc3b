import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.ladder.catchup import MAX_SPAN_DAYS, run_days
from cases.ladder.scan import run_daily_checks
from students.models import County


class Command(BaseCommand):
    help = (
        "运行每日检查：缺课扫描、升级阶梯、复学核验、逾期提醒（与定时任务相同）。"
        "--since 补跑停机期间漏掉的日期（按日期先后逐日运行，结果与每日运行相同）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD，默认今天")
        parser.add_argument("--since", help="YYYY-MM-DD：从这一天起逐日补跑")
        parser.add_argument("--until", help="YYYY-MM-DD：与 --since 同用，补跑到这一天（默认今天）")
        parser.add_argument("--county", help="县（区）名称，默认全部")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, date, since, until, county, json: bool, **options):
        today = timezone.localdate()
        if date and since:
            raise CommandError("--date 与 --since 只能选一个")
        if until and not since:
            raise CommandError("--until 须与 --since 同用")
        county_obj = None
        if county:
            county_obj = County.objects.filter(name=county).first()
            if county_obj is None:
                raise CommandError(f"没有名为“{county}”的县（区）")
        if since:
            first = _day(since, today)
            last = _day(until, today) if until else today
            if last < first:
                raise CommandError(f"--until {last} 早于 --since {first}")
            if (last - first).days >= MAX_SPAN_DAYS:
                raise CommandError(f"一次最多补跑{MAX_SPAN_DAYS}天，请分段运行")
            result = run_days(since=first, until=last, county=county_obj).as_dict()
            del result["date"]
            result = {"since": first.isoformat(), "until": last.isoformat(), **result}
            label = f"{first} 至 {last}"
        else:
            on = _day(date, today) if date else today
            result = run_daily_checks(on=on, county=county_obj).as_dict()
            label = f"{on}"
        if json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(
                f"{label}：新建个案 {result['cases_opened']}，升级 {result['escalated']}，"
                f"返校 {result['returned']}，销号 {result['closed']}，"
                f"新待办 {result['todos_created']}，逾期 {result['overdue']}。"
            )


def _day(value, today):
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value}") from None
    if day > today:
        raise CommandError(f"{day} 是将来的日期（今天是 {today}），不能运行每日检查")
    return day


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
