"""manage.py print_form 限期返校通知书 --case ID[,ID…] --out FILE.pdf [--user NAME]

Prints each case's latest notice of the township's series (限期返校 / 复学 /
入学) into ONE PDF, through the same code as the 打印 button. Acts as the
system unless --user names a user; then exactly that user's reach: a case
outside it, or one with no notice, is refused and nothing is written. The
file is written to a temporary name and moved into place when complete.
"""

import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import OuterRef, Subquery

from cases.models import Case, ReturnNotice
from cases.selectors import cases_for_user
from students.audit.services import Action, record_access

from ...pdf.notices import notices_for_print, notices_pdf

NOTICE_FORMS = {label for _, label in ReturnNotice.Kind.choices}


def _ids(text):
    try:
        ids = [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--case 须为个案编号，多个用逗号分隔：{text}") from None
    if not ids:
        raise CommandError("请用 --case 指定个案编号。")
    return list(dict.fromkeys(ids))


class Command(BaseCommand):
    help = "打印表单为 PDF（一次多个个案合为一个文件）。目前支持：限期返校通知书（含限期复学、限期入学）。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="表单名称，如 限期返校通知书")
        parser.add_argument("--case", required=True, help="个案编号，多个用逗号分隔")
        parser.add_argument("--out", required=True, help="输出的 PDF 文件")
        parser.add_argument("--user", default="", help="按该用户的管辖范围打印（默认：系统）")

    def handle(self, *args, name, case, out, user, **options):
        name = name.strip("《》 ")
        if name not in NOTICE_FORMS:
            raise CommandError(f"不支持的表单：{name}。目前支持：{'、'.join(sorted(NOTICE_FORMS))}")
        ids = _ids(case)
        acting = None
        cases = Case.objects.all()
        if user:
            acting = get_user_model().objects.filter(username=user, is_active=True).first()
            if acting is None:
                raise CommandError(f"没有名为“{user}”的有效用户。")
            cases = cases_for_user(acting)
        found = set(cases.filter(pk__in=ids).values_list("pk", flat=True))
        outside = [i for i in ids if i not in found]
        if outside:
            who = f"用户“{user}”的管辖范围" if user else "系统"
            raise CommandError(
                f"个案 {'、'.join(map(str, outside))} 不存在或不在{who}内，未生成文件。"
            )
        latest = ReturnNotice.objects.filter(case=OuterRef("case")).order_by(
            "-issued_on", "-year", "-number"
        )
        notices = {
            n.case_id: n
            for n in notices_for_print(
                ReturnNotice.objects.filter(case__in=ids, pk=Subquery(latest.values("pk")[:1]))
            )
        }
        missing = [i for i in ids if i not in notices]
        if missing:
            raise CommandError(
                f"个案 {'、'.join(map(str, missing))} 尚未签发限期通知书，未生成文件。"
            )
        ordered = [notices[i] for i in ids]
        data = notices_pdf(ordered)
        target = Path(out)
        fd, tmp = tempfile.mkstemp(dir=target.parent or ".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        record_access(
            user=acting,
            action=Action.DOWNLOAD,
            children=[n.case.child_id for n in ordered],
            detail=f"命令行打印{name}（{len(ordered)}份）",
        )
        self.stdout.write(f"已生成 {target}：{len(ordered)}份通知书，{len(data)} 字节。")
