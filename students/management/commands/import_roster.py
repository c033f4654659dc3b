import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from students import importing
from students.jurisdiction import SYSTEM, access
from students.models import County, ImportBatch, School, Village
from students.selectors import command_actor


class Command(BaseCommand):
    help = "导入底数台账、学籍、户籍或脱贫户名单（与网页导入相同的检查，全部成功才写入）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--kind", choices=ImportBatch.Kind.values, default=ImportBatch.Kind.ROSTER
        )
        parser.add_argument("--county", required=True, help="县（区）名称")
        parser.add_argument("--village", help="村（社区）名称：整张表属于这个村")
        parser.add_argument("--school", help="学校名称：学籍表属于这所学校")
        parser.add_argument(
            "--user",
            help="用户名：按该用户的管辖范围导入并记为该用户所做（不填则以系统身份导入）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, path, kind, county, village, school, user, dry_run, json, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        county_obj = County.objects.filter(name=county).first()
        if county_obj is None:
            raise CommandError(f"没有名为“{county}”的县（区）")
        try:
            actor = command_actor(user)
        except LookupError as e:
            raise CommandError(str(e)) from e
        # The same places the upload page offers this user.
        reach = access(actor)
        batch = ImportBatch(
            kind=kind,
            county=county_obj,
            user=None if actor is SYSTEM else actor,
            filename=file.name,
        )
        if village:
            batch.village = _one(
                Village.objects.filter(reach.villages(), township__county=county_obj, name=village),
                "村（社区）",
                village,
            )
        if school:
            batch.school = _one(
                School.objects.filter(reach.schools(), township__county=county_obj, name=school),
                "学校",
                school,
            )
        batch.save()
        step = importing.check if dry_run else importing.commit
        batch = step(batch, source=str(file))
        result = importing.summary(batch)
        if json:
            self.stdout.write(_dumps(result))
        else:
            self._report(batch, result, dry_run)
        if result["errors"]:
            raise SystemExit(1)

    def _report(self, batch, result, dry_run):
        verb = "将" if dry_run else ""
        for e in result["errors"]:
            where = f"第{e['row']}行 {e['column']}：" if e["row"] else ""
            self.stderr.write(f"{where}{e['message']}")
        if result["errors"]:
            self.stderr.write(f"共 {len(result['errors'])} 处错误，未写入任何数据。")
            return
        noun = batch.noun
        pupils = (
            f"；{verb}更新在册学生就读信息 {result['placed']} 人，"
            f"{verb}交乡镇分配到村 {result['to_assign']} 人"
            if "placed" in result
            else ""
        )
        self.stdout.write(
            f"{verb}新增{noun} {result['created']}，{verb}更新{noun} {result['updated']}，"
            f"未变 {result['unchanged']}{pupils}"
            f"{'（仅检查，未写入）' if dry_run else ''}。批次 #{batch.pk}"
        )


def _one(queryset, label, name):
    found = list(queryset[:2])
    if not found:
        raise CommandError(f"没有可导入的名为“{name}”的{label}（或不在该用户的管辖范围内）")
    if len(found) > 1:
        raise CommandError(f"有多个名为“{name}”的{label}")
    return found[0]


def _dumps(data):
    return json.dumps(data, ensure_ascii=False)
