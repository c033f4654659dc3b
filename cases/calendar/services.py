"""Writes to the school calendar: a county's or a school's terms and local days.

The page (cases/calendar/views.py) decides who may write which row; these
functions check what the database constraints cannot say clearly (or at all)
and give a plain Chinese reason: a term ends after it starts and is not
absurdly long, a county's terms (or a school's own terms) do not overlap,
names and dates are not taken twice, and a day off lies in a term (outside the
terms there is no school anyway; a make-up school day there — 提前报到 — is
fine). A school's own terms may overlap the county's: they replace them for
that school (cases/calendar/selectors.py).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from students.models import County

from ..models import CalendarDay, Term
from .selectors import SchoolCalendar

# A term longer than this is a typing mistake (a wrong year), not a term.
MAX_TERM_DAYS = 250


def _where(row):
    return f"{row.school}" if row.school_id else "全县"


def _same_place(model, row):
    """Rows of the same county (county rows) or the same school (school rows)."""
    rows = model.objects.filter(county_id=row.county_id)
    rows = rows.filter(school_id=row.school_id) if row.school_id else rows.filter(school=None)
    return rows.exclude(pk=row.pk) if row.pk else rows


def _check_place(row):
    if row.school_id and row.school.township.county_id != row.county_id:
        raise ValidationError("学校不属于该县。")


def _lock_county(row):
    # One writer per county at a time: the overlap and duplicate checks below
    # stay true until the row is saved (a no-op on SQLite, which locks anyway).
    County.objects.select_for_update().only("pk").get(pk=row.county_id)


def _save(row, message):
    """Validate the whole row (constraints included) and save it; a race that
    slips past the checks still ends in a clear message, not a server error."""
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(message) from None
    return row


# ---------------------------------------------------------------------- terms


def check_term(term):
    """The reasons this term cannot be saved, as a ValidationError (or None)."""
    _check_place(term)
    if term.end <= term.start:
        raise ValidationError({"end": "结束日期必须晚于开学日期。"})
    if (term.end - term.start).days > MAX_TERM_DAYS:
        raise ValidationError({"end": "学期超过 8 个月，请检查年份是否填错。"})
    same_place = _same_place(Term, term)
    if same_place.filter(name=term.name).exists():
        raise ValidationError({"name": f"{_where(term)}已有名为“{term.name}”的学期。"})
    overlapping = same_place.filter(start__lte=term.end, end__gte=term.start).first()
    if overlapping is not None:
        raise ValidationError(
            f"与{_where(term)}的“{overlapping.name}”"
            f"（{overlapping.start:%Y-%m-%d} 至 {overlapping.end:%Y-%m-%d}）时间重叠，"
            "同一学校（或全县）的学期不能重叠。请先修改或删除那个学期。"
        )


@transaction.atomic
def save_term(*, term):
    """Create or update a county term (school=None) or a school's own term."""
    _lock_county(term)
    check_term(term)
    return _save(term, "该学期与其他学期重名或时间冲突，请刷新后重试。")


@transaction.atomic
def delete_term(*, term):
    term.delete()


# ----------------------------------------------------------------- local days


def check_calendar_day(day):
    _check_place(day)
    taken = _same_place(CalendarDay, day).filter(date=day.date).first()
    if taken is not None:
        note = f"：{taken.note}" if taken.note else ""
        raise ValidationError(
            {
                "date": f"{_where(day)}在 {day.date:%Y-%m-%d} 已有调整"
                f"（{taken.get_kind_display()}{note}），请修改那一条。"
            }
        )
    if day.kind == CalendarDay.Kind.OFF:
        # The terms this place follows (a school: its own and the county's it
        # did not replace). No term at all: every working day counts, so a day
        # off is meaningful and allowed.
        calendar = SchoolCalendar(
            county=day.county_id, school=day.school, start=day.date, end=day.date
        )
        if not calendar.in_term(day.date):
            raise ValidationError(
                {
                    "date": f"{day.date:%Y-%m-%d} 不在任何学期内，本来就不上课，"
                    "不用设为放假。学期外只能设“上课（补课）”，例如提前报到。"
                }
            )


@transaction.atomic
def save_calendar_day(*, day):
    """Create or update a county's (school=None) or a school's local day."""
    _lock_county(day)
    check_calendar_day(day)
    return _save(day, "该日已有调整，请刷新后重试。")


@transaction.atomic
def delete_calendar_day(*, day):
    day.delete()
