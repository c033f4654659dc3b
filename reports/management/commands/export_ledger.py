import datetime
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports import ledgers
from reports.ledgers import by_name
from students.jurisdiction import access
from students.selectors import command_actor


def save_atomically(wb, out):
    """Write to a temporary file beside `out`, then move it into place: a
    failure half-way leaves no file at `out` (and no temporary file)."""
    out = Path(out)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        ledgers.discard(wb)
        raise


class Command(BaseCommand):
    help = (
        "导出台账为 Excel（与网页导出同一代码）：NAME 为台账名称（不含《》和地名），"
        f"可选：{'、'.join(by_name.NAMES)}。默认脱敏；--full 导出完整身份证号和电话（记入访问日志）。"
        "不给 --user 时以系统身份导出，给出时按该用户的管辖范围。"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="台账名称，如 控辍保学总台账")
        parser.add_argument("--county", required=True, help="县（区）名称")
        parser.add_argument("--township", help="乡镇名称")
        parser.add_argument("--village", help="村（社区）名称")
        parser.add_argument("--school", help="学校名称")
        parser.add_argument(
            "--date",
            help="YYYY-MM-DD：台账截至日期（仅适龄儿童台账、动态摸排未到校学生名单支持）",
        )
        parser.add_argument("--full", action="store_true", help="含完整身份证号和电话（将记录）")
        parser.add_argument("--out", required=True, help="输出文件 .xlsx")
        parser.add_argument("--user", help="用户名：按该用户的管辖范围导出（不填则以系统身份）")

    def handle(self, *args, name, county, township, village, school, date, full, out, user, **o):
        out = Path(out)
        if not out.parent.is_dir():
            raise CommandError(f"输出目录不存在：{out.parent}")
        on = None
        if date:
            try:
                on = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{date}") from None
        try:
            actor = command_actor(user)
            places = by_name.resolve_places(
                county=county, township=township, village=village, school=school
            )
            selection = by_name.select_by_name(actor, name, places, on=on)
        except (LookupError, by_name.LedgerRequestError) as e:
            raise CommandError(str(e)) from e
        if full and not access(actor).may_export_full():
            raise CommandError("该用户无权导出完整身份证号和电话")
        viewer = ledgers.Viewer.for_user(actor, full=full)
        wb, rows = ledgers.build_workbook(selection, viewer)
        save_atomically(wb, out)
        ledgers.record_export(
            user=actor,
            selection=selection,
            rows=rows,
            full=full,
            via="（命令行）",
            county=places.county,
        )
        self.stdout.write(f"已导出《{selection.title}》{rows} 行：{out}")
