"""校历: the county education bureau keeps its terms and local days; a school
administrator sees them and keeps the school's own, which replace the
county's for that school. A month view shows the resulting school days
(cases/calendar/selectors.py) so the office can check them. Anyone else gets a 404.

The month and year view-model is in selectors.py, the writes in services.py.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from common.web import apply_errors
from students.jurisdiction import access
from students.models import School

from ..models import CalendarDay, Term
from . import selectors, services
from .forms import CalendarDayForm, TermForm

NOT_ALLOWED = "只有县教育局和学校管理员可以查看和修改校历。"


# ----------------------------------------------------------------- who, where


@dataclass(frozen=True)
class Place:
    """Whose calendar: a county's (school None) or one school's."""

    key: str
    county_id: int
    school: School | None
    label: str

    def owns(self, row):
        return row.county_id == self.county_id and row.school_id == (
            self.school.pk if self.school else None
        )

    def new(self, model):
        return model(county_id=self.county_id, school=self.school)

    def url(self, month=None):
        query = f"?place={self.key}"
        if month:
            query += f"&month={month:%Y-%m}"
        return reverse("cases:calendar") + query


def places_for(user):
    """The calendars the user keeps: their counties', then their schools'."""
    counties, schools = access(user).calendar_places()
    places = [Place(f"county-{c.pk}", c.pk, None, str(c)) for c in counties]
    places += [Place(f"school-{s.pk}", s.township.county_id, s, str(s)) for s in schools]
    return list({place.key: place for place in places}.values())


def _place(request):
    places = places_for(request.user)
    if not places:
        raise Http404(NOT_ALLOWED)
    key = request.POST.get("place") or request.GET.get("place")
    if not key:
        return places[0], places
    for place in places:
        if place.key == key:
            return place, places
    raise Http404("没有找到该校历，或不在您的管辖范围内。")


def _row(request, model, pk):
    """A row and its place, if the user keeps that place's calendar: a county
    user cannot edit a school's rows, a school cannot edit the county's."""
    row = model.objects.select_related("school__township").filter(pk=pk).first()
    if row is not None:
        for place in places_for(request.user):
            if place.owns(row):
                return row, place
    raise Http404("没有找到该记录，或您不能修改它。")


# ---------------------------------------------------------------------- month


def _month(value, today):
    try:
        first = datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)
    return first if 2000 <= first.year <= 2100 else today.replace(day=1)


# ----------------------------------------------------------------------- page


@login_required
def calendar_page(request):
    place, places = _place(request)
    today = timezone.localdate()
    start, end = selectors.school_years(today)
    terms = list(
        Term.objects.filter(county_id=place.county_id, end__gte=start, start__lte=end)
        .select_related("school")
        .order_by("start", "school__name")
    )
    days = list(
        CalendarDay.objects.filter(county_id=place.county_id, date__range=(start, end))
        .select_related("school")
        .order_by("date", "school__name")
    )
    if place.school:
        own_terms = [t for t in terms if t.school_id == place.school.pk]
        county_terms = [t for t in terms if t.school_id is None]
        own_days = [d for d in days if d.school_id == place.school.pk]
        county_days = [d for d in days if d.school_id is None]
        selectors.count_school_days(place, own_terms + county_terms)
        schools_terms = schools_days = []
    else:
        own_terms = [t for t in terms if t.school_id is None]
        own_days = [d for d in days if d.school_id is None]
        county_terms = county_days = []
        schools_terms = [t for t in terms if t.school_id is not None]
        schools_days = [d for d in days if d.school_id is not None]
        selectors.count_school_days(place, own_terms)
    for d in own_days + county_days + schools_days:
        d.weekday = selectors.WEEKDAYS[d.date.weekday()]
    first = _month(request.GET.get("month"), today)
    return render(
        request,
        "cases/calendar/index.html",
        {
            "place": place,
            "places": places,
            "years": (start, end),
            "own_terms": own_terms,
            "own_days": own_days,
            "county_terms": county_terms,
            "county_days": county_days,
            "schools_terms": schools_terms,
            "schools_days": schools_days,
            "month": selectors.month_view(place, first, today),
            "this_month": today.replace(day=1),
            "weekdays": selectors.WEEKDAYS,
        },
    )


# --------------------------------------------------------------------- writes


@dataclass(frozen=True)
class Editable:
    """What a form page edits: a term or a local day, and how."""

    model: type
    form: type
    save: object
    delete: object
    what: str
    url: str

    def describe(self, row):
        if isinstance(row, Term):
            return f"“{row.name}”（{row.start:%Y-%m-%d} 至 {row.end:%Y-%m-%d}）"
        note = f"（{row.note}）" if row.note else ""
        return f"{row.date:%Y-%m-%d} {row.get_kind_display()}{note}"

    def month(self, row):
        return (row.start if isinstance(row, Term) else row.date).replace(day=1)


TERM = Editable(
    Term,
    TermForm,
    lambda row: services.save_term(term=row),
    lambda row: services.delete_term(term=row),
    "学期",
    "cases:calendar_term",
)
DAY = Editable(
    CalendarDay,
    CalendarDayForm,
    lambda row: services.save_calendar_day(day=row),
    lambda row: services.delete_calendar_day(day=row),
    "调整日",
    "cases:calendar_day",
)


def _edit(request, kind, pk=None):
    if pk is None:
        place, _ = _place(request)
        row = place.new(kind.model)
    else:
        row, place = _row(request, kind.model, pk)
    form = kind.form(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        try:
            row = kind.save(form.save(commit=False))
        except ValidationError as e:
            apply_errors(form, e)
        else:
            messages.success(request, f"已保存{place.label}的{kind.what}{kind.describe(row)}。")
            return redirect(place.url(kind.month(row)) + "#month")
    return render(
        request,
        "cases/calendar/edit.html",
        {
            "form": form,
            "place": place,
            "what": kind.what,
            "row": row if pk else None,
            "delete_url": reverse(kind.url + "_delete", args=[pk]) if pk else None,
            "back": place.url(),
        },
    )


def _delete(request, kind, pk):
    row, place = _row(request, kind.model, pk)
    described = kind.describe(row)
    if request.method == "POST":
        kind.delete(row)
        messages.success(request, f"已删除{place.label}的{kind.what}{described}。")
        return redirect(place.url(kind.month(row)) + "#month")
    return render(
        request,
        "cases/calendar/delete.html",
        {"place": place, "what": kind.what, "described": described, "back": place.url()},
    )


@login_required
def term_new(request):
    return _edit(request, TERM)


@login_required
def term_edit(request, pk):
    return _edit(request, TERM, pk)


@login_required
def term_delete(request, pk):
    return _delete(request, TERM, pk)


@login_required
def day_new(request):
    return _edit(request, DAY)


@login_required
def day_edit(request, pk):
    return _edit(request, DAY, pk)


@login_required
def day_delete(request, pk):
    return _delete(request, DAY, pk)
