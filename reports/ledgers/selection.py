"""The selections: one ledger, for one
user, scoped through `students.jurisdiction` and filtered."""

from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from cases.models import StepOverride
from cases.termlist.selectors import term_for_user
from students import counting
from students.jurisdiction import access
from students.models import (
    Child,
    School,
    TermCheck,
    Township,
    Village,
    VillageGroup,
)
from students.schoolage import term_label

from .cells import FIELDS
from .definitions import (
    _STATUS_OF,
    CHILD_LEDGERS,
    SCHOOL_AGE,
    TERM_ABSENT,
    VILLAGE_ROSTER,
    Ledger,
)
from .places import Place, user_place

# --------------------------------------------------------------------------
# Terms and school age
# --------------------------------------------------------------------------


def current_term_label(on=None):
    return term_label(on or timezone.localdate())


# --------------------------------------------------------------------------
# Filters (within the user's scope only: anything else is a 404)
# --------------------------------------------------------------------------


class LedgerFilter(django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Township.objects.none(), method="filter_township"
    )
    village = django_filters.ModelChoiceFilter(
        label="村（社区）", queryset=Village.objects.none(), field_name="village"
    )
    school = django_filters.ModelChoiceFilter(
        label="学校", queryset=School.objects.none(), field_name="school"
    )

    class Meta:
        model = Child
        fields = ["township", "village", "school"]

    def __init__(self, data=None, *args, user, **kwargs):
        super().__init__(data, *args, **kwargs)
        villages = Village.objects.filter(access(user).villages()).select_related("township")
        self.filters["village"].queryset = villages
        self.filters["school"].queryset = School.objects.filter(access(user).schools())
        if access(user).may_choose_township():
            self.filters["township"].queryset = Township.objects.filter(
                pk__in=villages.values("township")
            )
        else:  # a township or village sees one township: nothing to choose
            del self.filters["township"]
        if not access(user).may_see_roster_ledgers():
            del self.filters["village"]

    def filter_township(self, queryset, name, value):
        # The township's residents (students.counting): its schools' pupils
        # who live elsewhere count where they live, or under 学校.
        return queryset.filter(village__township=value)

    @property
    def chosen(self):
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return {key: data.get(key) for key in ("township", "village", "school")}


class TermListFilter(LedgerFilter):
    term = django_filters.ChoiceFilter(
        label="学期", choices=(), method="filter_term", empty_label=None
    )

    class Meta(LedgerFilter.Meta):
        fields = ["term", "township", "village", "school"]

    def __init__(self, data=None, *args, user, terms, default_term, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("term"):
            data["term"] = default_term
        super().__init__(data, *args, user=user, **kwargs)
        self.filters["term"].extra["choices"] = [(t, t) for t in terms]

    def filter_term(self, queryset, name, value):
        # One TermCheck per child and term: the join adds no duplicate rows.
        return queryset.filter(term_checks__term=value, term_checks__present=False).annotate(
            term_note=F("term_checks__note")
        )


def _valid_or_404(filterset):
    if filterset.is_bound and not filterset.is_valid():
        raise Http404("筛选条件无效，或不在您的管辖范围内。")
    return filterset


# --------------------------------------------------------------------------
# Selections: one ledger, for one user, with the filters applied
# --------------------------------------------------------------------------


@dataclass
class Selection:
    ledger: Ledger
    queryset: Any  # Child queryset: scoped, filtered, ordered
    place: Place
    filterset: Any = None
    term: str = ""
    village: Any = None
    as_of: Any = None  # the day the ledger is as of, when not today

    def within_county(self, county):
        """Only that county's rows (a command names the county)."""
        path = f"{self.ledger.child_path}village__township__county"
        self.queryset = self.queryset.filter(**{path: county})
        if county.name in self.place.head.split("、"):  # a reach over several counties
            self.place = Place(
                county.name, self.place.detail if self.place.head == county.name else ""
            )
        return self

    @property
    def title(self):
        return self.place.title(self.ledger.title)

    @property
    def scope_text(self):
        """The export's scope, as the access log records it."""
        parts = [self.place.unit]
        if self.term:
            parts.append(self.term)
        return " ".join(parts)[:200]

    def values(self):
        if self.ledger.fields:
            return self.queryset.values(*self.ledger.fields)
        fields = [*FIELDS, "term_note"] if self.ledger is TERM_ABSENT else FIELDS
        if self.ledger.slug in CHILD_LEDGERS:
            fields = [*fields, "override_action", "override_reason"]
        return self.queryset.values(*fields)


def _with_overrides(qs):
    """The township's latest 提前处置 on the child's open case (备注), in the
    same query: a subquery per column, no query per row."""
    latest = (
        StepOverride.objects.filter(case__child=OuterRef("pk"))
        .exclude(case__state="closed")
        .order_by("-at", "-pk")
    )
    return qs.annotate(
        override_action=Subquery(latest.values("action")[:1]),
        override_reason=Subquery(latest.values("reason")[:1]),
    )


def _ordered(qs):
    return qs.order_by("village__township__name", "village__name", "name", "id")


def select_child_ledger(user, slug, params, *, on=None):
    """One of the county's three ledgers, as `user` may see it."""
    ledger = CHILD_LEDGERS.get(slug)
    if ledger is None or not access(user).may_see_roster_ledgers():
        raise Http404("没有这个台账，或您无权查看。")
    # Counted as 概况 counts (students.counting): a place's residents, or,
    # filtered by a school, that school's pupils.
    f = _valid_or_404(LedgerFilter(params or None, queryset=Child.objects.none(), user=user))
    qs = counting.counted(user, school=f.chosen["school"])
    if ledger is SCHOOL_AGE:
        qs = counting.school_age(qs, on=on)
    else:
        qs = qs.filter(status=_STATUS_OF[slug])
    if f.is_bound:  # valid: _valid_or_404
        qs = f.filter_queryset(qs)
    return Selection(
        ledger=ledger,
        queryset=_ordered(_with_overrides(qs)),
        place=user_place(user).narrowed(**f.chosen),
        filterset=f,
    )


def roster_villages(user):
    """The villages whose 底数台账 the user keeps or oversees."""
    if not access(user).may_see_roster_ledgers():
        return Village.objects.none()
    return (
        Village.objects.filter(access(user).villages())
        .select_related("township")
        .order_by("township__name", "name")
    )


def _natural_number(name):
    """一组 → 1, 十二组 → 12, 3组 → 3; None when the name has no number."""
    digits = "".join(ch for ch in name if ch.isdigit())
    if digits:
        return int(digits)
    numerals = {c: i for i, c in enumerate("零一二三四五六七八九")}
    head = ""
    for ch in name:
        if ch in numerals or ch == "十":
            head += ch
        else:
            break
    if not head:
        return None
    if "十" in head:
        tens, _, units = head.partition("十")
        return numerals.get(tens, 1) * 10 + numerals.get(units, 0) if units or tens else 10
    return int("".join(str(numerals[c]) for c in head))


def _group_order(village):
    """村民小组 in their natural order (一组, 二组, … 十组), as a SQL expression."""
    groups = sorted(
        VillageGroup.objects.filter(village=village).values_list("pk", "name"),
        key=lambda g: (_natural_number(g[1]) is None, _natural_number(g[1]) or 0, g[1]),
    )
    whens = [When(household__group_id=pk, then=Value(i)) for i, (pk, _) in enumerate(groups)]
    if not whens:
        return Value(0, output_field=IntegerField())
    return Case(*whens, default=Value(len(groups)), output_field=IntegerField())


def select_village_roster(user, village_pk):
    """适龄儿童少年底数台账 of one village: every child on its roster."""
    village = roster_villages(user).filter(pk=village_pk).first()
    if village is None:
        raise Http404("没有找到该村（社区），或不在您的管辖范围内。")
    qs = (
        Child.objects.filter(access(user).children(), village=village)
        .annotate(group_order=_group_order(village))
        .order_by(
            "group_order",
            F("household__head_name").asc(nulls_last=True),
            F("household_id").asc(nulls_last=True),
            "name",
            "id",
        )
    )
    return Selection(
        ledger=VILLAGE_ROSTER,
        queryset=qs,
        place=Place(village.township.name, village.name),
        village=village,
    )


def term_labels(user):
    """The terms with presence checks in the user's reach, newest first."""
    return sorted(
        set(
            TermCheck.objects.filter(child__in=Child.objects.filter(access(user).children()))
            .values_list("term", flat=True)
            .distinct()
        ),
        reverse=True,
    )


def select_term_list(user, params, *, on=None):
    """动态摸排未到校学生名单: TermCheck present=False of one term."""
    if not access(user).may_see_term_list():
        raise Http404("您无权查看该名单。")
    # The county's current term, as on the term check page (its calendar).
    _, default = term_for_user(user, on=on or timezone.localdate())
    terms = term_labels(user)
    if default not in terms:
        terms.insert(0, default)
    qs = Child.objects.filter(access(user).children())
    f = _valid_or_404(
        TermListFilter(params, queryset=qs, user=user, terms=terms, default_term=default)
    )
    return Selection(
        ledger=TERM_ABSENT,
        queryset=_ordered(f.qs),
        place=user_place(user).narrowed(**f.chosen),
        filterset=f,
        term=f.form.cleaned_data["term"],
    )
