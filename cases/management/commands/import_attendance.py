import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.attendance import importing
from students.jurisdiction import access
from students.models import School
from students.selectors import command_actor


class Command(BaseCommand):
    help = (
        "导入缺勤登记表（日期、学校、年级、班级、姓名、身份证号、状态、原因）。"
        "与网页导入相同的检查，全部无误才写入；有错误时退出码为1，不写入任何数据。"
        "表中每个日期即表中各学校当天的点名：未列入表中的本校学生视为到校。"
        "无缺勤的学校报零报告：--school 学校 --date 日期，不给文件。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="缺勤登记表；零报告时不填")
        parser.add_argument("--date", help="YYYY-MM-DD：零报告的日期（与 --school 同用，不给文件）")
        parser.add_argument("--school", help="学校名称：整张表属于这所学校（“学校”列可留空）")
        parser.add_argument(
            "--user",
            help="用户名：按该用户的管辖范围导入并记为该用户所做（不填则以系统身份导入）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, path, school, date, user, dry_run, json, **options):
        if path and date:
            raise CommandError("--date 只用于零报告（不给文件）；表格的日期在“日期”列")
        if not path and not (school and date):
            raise CommandError("请给出缺勤登记表文件，或用 --school 学校 --date 日期 报零报告")
        file = Path(path) if path else None
        if file is not None and not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        try:
            actor = command_actor(user)
        except LookupError as e:
            raise CommandError(str(e)) from e
        school_obj = None
        if school:
            school_obj = (
                School.objects.filter(access(actor).schools(), name=school)
                .select_related("township")
                .first()
            )
            if school_obj is None:
                raise CommandError(f"没有可导入的名为“{school}”的学校（或不在该用户的管辖范围内）")
        if file is None:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from None
            plan = importing.zero_report(school=school_obj, day=day, user=actor, dry_run=dry_run)
        else:
            plan = importing.import_file(
                str(file), filename=file.name, user=actor, school=school_obj, dry_run=dry_run
            )
        result = plan.summary()
        if json:
            self.stdout.write(_dumps(result))
        else:
            self._report(plan, result, dry_run)
        if result["errors"]:
            raise SystemExit(1)

    def _report(self, plan, result, dry_run):
        for e in result["errors"]:
            where = f"第{e['row']}行 {e['column']}：" if e["row"] else ""
            self.stderr.write(f"{where}{e['message']}")
        if result["errors"]:
            self.stderr.write(f"共 {len(result['errors'])} 处错误，未写入任何数据。")
            return
        verb = "将" if dry_run else ""
        line = (
            f"{verb}新增 {result['created']}，{verb}更新 {result['updated']}，"
            f"未变 {result['unchanged']}，{verb}改为到校 {result['present']}，"
            f"点名 {result['roll_calls']} 个班次{'（仅检查，未写入）' if dry_run else ''}。"
        )
        if plan.result is not None and plan.result.cancelled:
            line += f"因缺勤更正撤销个案 {len(plan.result.cancelled)} 件。"
        self.stdout.write(line)


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
