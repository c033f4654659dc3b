"""The demo's loop in the browser (Debian's chromium, a phone-sized window):
one demo child of 蛟潭镇中心学校 五年级1班 from the first absence to 销号, and
another to a disposition, each step done by its responsible demo user on the
pages they would use. The daily scan is a system task: the test runs it."""

import datetime
import io
import pathlib
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = pathlib.Path("/tmp/e2e-shots")
SCHOOL, GRADE, CLASS = "蛟潭镇中心学校", 5, "1班"
CADRES = {"礼芳村": "lifang", "月形村": "yuexing"}


def _png(name):
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, "PNG")
    return {"name": name, "mimeType": "image/png", "buffer": buf.getvalue()}


class Demo:
    """The seeded demo and a phone page that logs in as its users."""

    def __init__(self, page, url):
        from students.demo import DEMO_PASSWORD
        from students.models import County

        call_command("seed_demo", quiet=True)
        self.page, self.url, self.password = page, url, DEMO_PASSWORD
        self.county = County.objects.get(name="示范县")
        self.today = timezone.localdate()

    def login(self, username):
        page = self.page
        page.context.clear_cookies()
        page.goto(self.url + "/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(self.password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(lambda u: "/login/" not in u)
        return page

    def open(self, path):
        self.page.goto(self.url + path)
        return self.page

    def shot(self, name):
        """A screenshot; the page fits the phone (no sideways scrolling)."""
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        assert self.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name

    def scan(self, *days):
        from cases.ladder.scan import run_daily_checks

        for day in days:
            run_daily_checks(on=day, county=self.county)

    def persuade(self, case, method, process, outcome="refused"):
        page = self.open(case.get_absolute_url())
        page.get_by_role("link", name="添加劝学记录").click()
        page.get_by_label("方式").select_option(method)
        page.get_by_label("劝学过程").fill(process)
        page.locator("#id_outcome").select_option(outcome)
        page.get_by_role("button", name="保存劝学记录").click()
        try:
            page.locator("#persuasion").get_by_text(process).wait_for()
        except Exception:
            self.shot("debug")
            raise
        return page


def _class_children():
    from students.models import Child

    return Child.objects.filter(school__name=SCHOOL, grade=GRADE, class_name=CLASS)


def _mark(page, day, child, mark):
    """The teacher's class attendance screen for `day`: one child marked."""
    page.get_by_role("link", name="考勤", exact=True).first.click()
    page.get_by_label("日期").fill(day.isoformat())
    page.get_by_role("button", name="查看").click()
    page.wait_for_url(f"**date={day.isoformat()}*")
    page.locator(f"#att-{child.pk}").get_by_text(mark, exact=True).click()
    page.get_by_role("button", name="保存考勤").click()
    page.locator("#att-summary", has_text="已点名").wait_for()


@pytest.fixture
def demo(phone, live_server):
    return Demo(phone, live_server.url)


def test_a_demo_child_goes_from_the_first_absence_to_xiaohao(demo):
    from cases.calendar import calendar_around
    from cases.models import Absence, Case, ClassRollCall, Todo

    # A pupil of the demo class with no demo data, living where a cadre works.
    child = (
        _class_children()
        .filter(village__name__in=CADRES, absences__isnull=True, cases__isnull=True)
        .order_by("pk")
        .first()
    )
    school = child.school
    calendar = calendar_around(county=demo.county, school=school, day=demo.today)
    # The demo called the roll on its last school days: the child was there.
    called = sorted(
        ClassRollCall.objects.filter(school=school, grade=GRADE, class_name=CLASS).values_list(
            "date", flat=True
        )
    )
    back_on = called[0]
    away = calendar.last_school_days(back_on - datetime.timedelta(days=1), 5)
    assert len(away) == 5 and away[-1] < back_on < demo.today

    # 1. The teacher marks the child absent five school days running.
    page = demo.login("banzhuren")
    for day in away:
        _mark(page, day, child, "无故未到校")
        demo.scan(day)
    demo.shot("01-teacher-attendance")
    assert "无故未到校 1 人" in page.locator("#att-summary").inner_text()
    case = Case.objects.get(child=child, state="open")
    assert (case.first_absent_on, case.streak, case.stage) == (away[0], 5, 4)

    # 2. The teacher's day-1 call and day-3 home visit, from the to-do list.
    page = demo.open("/")
    call = page.locator("li.todo", has_text="电话联系监护人")
    assert call.get_by_role("link", name=child.name).is_visible()
    demo.persuade(case, "phone", "电话联系监护人：孩子不愿上学，已说明家长的法定责任。")
    demo.persuade(case, "home_visit", "班主任与德育处入户劝返，家长表示孩子在家玩手机不肯去。")
    done = Todo.objects.filter(case=case, done_by__username="banzhuren")
    assert set(done.values_list("kind", flat=True)) == {"call", "school_visit"}

    # 3. The report is refused while the village's visit is not on record.
    page = demo.login("zhongxinxiao")
    demo.open(case.get_absolute_url())
    assert page.get_by_role("button", name="报送辍学情况报告单").is_disabled()
    assert "村" in page.locator("#notices .reasons").inner_text()
    demo.shot("02-report-refused")

    # 4. The village cadre of the child's village visits.
    demo.login(CADRES[child.village.name])
    demo.persuade(case, "home_visit", "村书记、网格员入户核查：父母外出务工，由祖父母照看。")
    demo.shot("03-village-visit")

    # 5. The school files the 报告单.
    page = demo.login("zhongxinxiao")
    demo.open(case.get_absolute_url())
    page.get_by_role("link", name="报送辍学情况报告单").click()
    assert "3次" in page.get_by_label("基本情况").input_value()
    page.get_by_role("button", name="报送乡镇").click()
    page.locator("#notices").get_by_role("link", name="辍学情况报告单").wait_for()
    demo.shot("04-report-filed")

    # 6. The township issues the 限期返校通知书 and records its service.
    page = demo.login("xiangzhen")
    demo.open(case.get_absolute_url())
    page.get_by_role("link", name="签发限期返校通知书").click()
    page.get_by_role("button", name="签发").click()
    number = page.get_by_text(re.compile(r"蛟府教〔2026〕[1-9]\d*号")).first
    number.wait_for()
    demo.shot("05-notice")
    page.get_by_role("link", name="登记送达").click()
    page.get_by_label("送达日期").fill(demo.today.isoformat())
    page.get_by_label("送达人").fill("镇控辍办 王干事")
    page.get_by_label("见证人").fill("月形村 李书记")
    page.get_by_label("签收回执").set_input_files(_png("回执.png"))
    page.get_by_role("button", name="保存送达").click()
    page.get_by_text("送达人 镇控辍办 王干事").wait_for()

    # 7. The child comes back: the teacher marks them present; the scan sees it.
    page = demo.login("banzhuren")
    _mark(page, back_on, child, "到")
    assert not Absence.objects.filter(child=child, date=back_on).exists()
    demo.scan(*calendar.school_days(back_on, demo.today))
    case.refresh_from_db()
    assert (case.state, case.returned_on) == ("returned", back_on)

    # 8. The school restores the 学籍 and proposes 销号; the township confirms.
    page = demo.login("zhongxinxiao")
    assert Todo.objects.filter(case=case, kind="propose_close", done_at=None).exists()
    page.locator("li.todo", has_text="学籍").get_by_role("link", name=child.name).click()
    page.get_by_label("学籍办理情况").fill("已在学籍系统恢复学籍")
    page.get_by_role("button", name="登记学籍已恢复/补建").click()
    page.get_by_label("申请说明").fill("返校后按时到校，学习正常")
    page.get_by_role("button", name="申请销号").click()
    page.get_by_text(re.compile("学校已申请销号：.*待乡镇确认")).wait_for()
    page = demo.login("xiangzhen")
    demo.open(case.get_absolute_url())
    page.get_by_label("确认说明").fill("经核实已稳定就读")
    page.get_by_role("button", name="确认销号").click()
    page.locator("h1 .status", has_text="已销号").wait_for()
    assert "乡镇确认：蛟潭镇控辍办" in page.locator(".facts").first.inner_text()
    demo.shot("06-xiaohao")
    demo.open("/reports/cases/")
    cells = page.locator("tr", has_text=child.name).locator("td").all_inner_texts()
    for value in ("已销号（乡镇确认）", f"{demo.today:%Y-%m-%d}", "蛟潭镇控辍办"):
        assert value in cells
    demo.shot("07-ledger")


def _upload(page, item, name):
    page.get_by_label("材料项目").select_option(label=item)
    page.get_by_label("文件（拍照或扫描）").set_input_files(_png(name))
    page.get_by_role("button", name="上传材料").click()
    page.locator(".checklist li", has_text=item).get_by_text("已齐").wait_for()


def test_a_demo_child_is_given_a_suspension_approved_by_the_county(demo):
    """办理休学证明 (000 附件1 ②): the school asks with the hospital's diagnosis
    and the application form, the county education bureau approves, the
    school strikes the case off; the child is 休学."""
    from cases.models import Case

    # The demo child away longest: the demo's open case furthest up the ladder.
    case = Case.objects.filter(child__in=_class_children(), state="open").order_by("-stage").first()
    child = case.child
    title = "办理休学证明"

    # 1. The school starts the disposition from the case page.
    page = demo.login("zhongxinxiao")
    demo.open(case.get_absolute_url())
    page.locator("#dispositions").get_by_role("link", name=re.compile("启动处置")).click()
    page.locator("label.choice", has_text=title).click()
    page.get_by_role("textbox", name="说明", exact=True).fill("家长来校说明孩子患病住院，申请休学")
    page.get_by_role("button", name="启动处置").click()
    page.get_by_role("heading", name=re.compile(title)).wait_for()
    assert "准备材料" in page.locator("h1").inner_text()
    # Nothing to submit yet: the page says what is missing, submitting is refused.
    needs = page.locator("section", has_text="提交审批前还需")
    assert "诊断" in needs.inner_text()
    page.get_by_role("button", name="提交县教育局审批").click()
    page.locator(".msg, .messages, .errors").filter(has_text="诊断").first.wait_for()
    assert "准备材料" in page.locator("h1").inner_text()
    demo.shot("11-suspension-started")

    # 2. The facts of the diagnosis, then the two uploads of 000 附件3.
    page.get_by_label("诊断医院").fill("示范县人民医院")
    page.get_by_label("医院等级").select_option("县级")
    page.get_by_label("诊断结论").fill("肺结核，建议休学治疗半年")
    review_on = demo.today + datetime.timedelta(days=90)
    page.get_by_label("复查日期").fill(review_on.isoformat())
    page.get_by_role("button", name="保存").click()
    page.locator("dl.facts").first.get_by_text(f"{review_on:%Y-%m-%d}").wait_for()
    _upload(page, "县级以上医院建议休学诊断证明", "诊断证明.png")
    _upload(page, "休学申请表", "休学申请表.png")
    assert page.locator("section", has_text="提交审批前还需").count() == 0
    page.get_by_role("button", name="提交县教育局审批").click()
    page.locator("h1", has_text="待县教育局审批").wait_for()
    demo.shot("12-suspension-submitted")

    # 3. The county education bureau approves from its list.
    page = demo.login("xianjiaoyuju")
    page.get_by_role("link", name="处置审批").first.click()
    page.get_by_role("link", name=f"{child.name} · {title}").click()
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("审批意见").fill("材料齐全，同意休学")
    page.get_by_role("button", name="提交审批意见").click()
    page.locator("h1", has_text="已批准").wait_for()
    assert "材料齐全，同意休学" in page.locator("dl.facts").first.inner_text()
    demo.shot("13-suspension-approved")

    # 4. The school strikes the case off: 休学.
    page = demo.login("zhongxinxiao")
    demo.open(case.get_absolute_url())
    page.locator("#dispositions").get_by_role("link", name=title).click()
    page.get_by_role("button", name=re.compile("销号（休学")).click()
    page.locator("h1", has_text="已销号").wait_for()
    demo.open(case.get_absolute_url())
    assert "已销号" in page.locator("h1").inner_text()
    assert "休学" in page.locator(".facts").first.inner_text()
    demo.shot("14-suspension-closed")
    child.refresh_from_db()
    assert child.get_status_display() == "休学"
