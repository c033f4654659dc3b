"""The one counting rule: 概况, the ledgers, dashboards and exports count here.

- A place (county, township, village) counts the children who live there: a
  child counts once, in the village whose roster holds it, wherever it goes
  to school. A township answers for its residents (入学率).
- A school counts its pupils, by the school they attend, wherever they live
  (巩固率).
- Both count children of compulsory-education age (适龄: grades 1–9 by the
  entry cutoff in force where the child lives), in every status: each status
  falls in exactly one of STATUS_GROUPS, so a row's columns add up to its
  total.

Who may *open* a child is another question (`access(user).children()`): a
township sees the pupils of its schools who live elsewhere, but counts them
in the school's figure, never in its own.

No role branching here: the user's places and schools come from
`access(user).villages()` / `.schools()`, its pupils from `.children()`.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q

from .jurisdiction import access
from .models import Child, School, Village
from .selectors import compulsory_age_q, settings_groups

Status = Child.Status


@dataclass(frozen=True)
class StatusGroup:
    label: str
    statuses: tuple
    note: str = ""  # what the column holds, when the label does not say

    @property
    def q(self):
        return Q(status__in=self.statuses)


_SHOWN = (Status.ENROLLED, Status.NOT_ENROLLED, Status.SUSPECTED_DROPOUT, Status.DROPOUT)
STATUS_GROUPS = [
    *(StatusGroup(s.label, (s.value,)) for s in _SHOWN),
    StatusGroup(
        "其他",
        tuple(s.value for s in Status if s not in _SHOWN),
        note="、".join(s.label for s in Status if s not in _SHOWN),
    ),
]


def residents_q(user):
    """A Q over Child: the children living in the user's villages."""
    return Q(village__in=Village.objects.filter(access(user).villages()))


def pupils_q(user, *, school=None):
    """A Q over Child: the pupils the user may see of the schools in the
    user's reach (or of `school`), wherever they live."""
    schools = School.objects.filter(access(user).schools())
    if school is not None:
        schools = schools.filter(pk=school.pk)
    return access(user).children() & Q(school__in=schools)


def counted(user, *, school=None):
    """The children (of any age and status) that the figures and ledgers of
    the user's reach count: the residents of the user's places, or, with
    `school`, that school's pupils."""
    return Child.objects.filter(
        residents_q(user) if school is None else pupils_q(user, school=school)
    )


def school_age(queryset, *, on=None, groups=None):
    """Narrow a Child queryset to compulsory-education age on `on` (today),
    each child by the entry cutoff where it lives (`groups`: settings_groups(),
    to read the settings once for several figures)."""
    return queryset.filter(compulsory_age_q(on=on, groups=groups))


def residents(user, *, on=None, groups=None):
    """The children a place's figures count: its school-age residents.
    The same rows as the place's 适龄儿童台账."""
    return school_age(Child.objects.filter(residents_q(user)), on=on, groups=groups)


def pupils(user, *, school=None, on=None, groups=None):
    """The children a school's figures count: its school-age pupils."""
    return school_age(Child.objects.filter(pupils_q(user, school=school)), on=on, groups=groups)


def _figures(queryset, *, unit_id, unit_name):
    """Per unit: {unit, total, counts (one per STATUS_GROUPS)}, one query."""
    aggregates = {f"g{i}": Count("id", filter=g.q) for i, g in enumerate(STATUS_GROUPS)}
    rows = (
        queryset.values(unit_id=F(unit_id), unit=F(unit_name))
        .annotate(total=Count("id"), **aggregates)
        .order_by("unit", "unit_id")
    )
    return [
        {
            "unit": r["unit"],
            "unit_id": r["unit_id"],
            "total": r["total"],
            "counts": [r[f"g{i}"] for i in range(len(STATUS_GROUPS))],
        }
        for r in rows
    ]


PLACE_UNITS = {"township": "village__township", "village": "village"}


def place_figures(user, *, by, on=None, groups=None):
    """The user's school-age residents per township or village, by status
    group: one query (and the settings, unless `groups` is given)."""
    path = PLACE_UNITS[by]
    return _figures(
        residents(user, on=on, groups=groups), unit_id=f"{path}_id", unit_name=f"{path}__name"
    )


def school_figures(user, *, on=None, groups=None):
    """The school-age pupils of the schools in the user's reach, per school."""
    return _figures(
        pupils(user, on=on, groups=groups), unit_id="school_id", unit_name="school__name"
    )


@dataclass
class Overview:
    """概况: the place figures and the school figures, with their totals."""

    places: list
    schools: list

    @property
    def place_totals(self):
        return totals(self.places)

    @property
    def school_totals(self):
        return totals(self.schools)


def overview(user, *, by, on=None):
    """Both tables of 概况, the entry-cutoff settings read once."""
    groups = settings_groups()
    return Overview(
        places=place_figures(user, by=by, on=on, groups=groups),
        schools=school_figures(user, on=on, groups=groups),
    )


def totals(rows):
    """The total line of a figures table: {total, counts}."""
    return {
        "total": sum(r["total"] for r in rows),
        "counts": [sum(col) for col in zip(*(r["counts"] for r in rows), strict=True)]
        if rows
        else [0] * len(STATUS_GROUPS),
    }
