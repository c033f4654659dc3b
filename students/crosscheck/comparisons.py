"""The three comparisons of 四查三比对 and a run over a county or township.

Every comparison is set-based SQL (see the package docstring)."""

import datetime
import operator
import re
from functools import reduce
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from .. import schoolage
from ..models import (
    Child,
    CrossCheckRun,
    HujiRecord,
    Lead,
    PovertyRecord,
    School,
    SchoolKind,
    TermCheck,
    XuejiRecord,
)
from ..schoolage import school_year_start
from ..selectors import compulsory_age_q, settings_groups

Status = Child.Status
Kind = Lead.Kind
# The kinds a run produces (an UNROSTERED lead comes from a school's 学籍 import).
COMPARED_KINDS = [Kind.NOT_ENROLLED, Kind.ABSENT, Kind.POVERTY_DROPOUT]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERIOD_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
BATCH_SIZE = 1000

# A school-age child with a 户籍 here and no 学籍 here is *not* a lead when the
# roster already accounts for them elsewhere (studying outside, placed, gone).
ACCOUNTED_ELSEWHERE = [
    Status.STUDYING_ELSEWHERE,
    Status.TRANSFERRED,
    Status.SUSPENDED,
    Status.HOME_TEACHING,
    Status.EXEMPT,
    Status.DEFERRED,
    Status.GRADUATED,
    Status.SPECIAL_SCHOOL,
    Status.COUNTY_REVIEW,
    Status.DECEASED,
    Status.MOVED_OUT,
]
DROPOUT_STATUSES = [Status.SUSPECTED_DROPOUT, Status.DROPOUT]
# The responsible school for a child of each stage, best fit first; any
# responsible school of the village is the fallback.
STAGE_SCHOOL_RANK = {
    "primary": [SchoolKind.PRIMARY, SchoolKind.NINE_YEAR, SchoolKind.TEACHING_POINT],
    "junior": [SchoolKind.JUNIOR, SchoolKind.NINE_YEAR],
}


# --------------------------------------------------------------------------
# Dates: the period and the term
# --------------------------------------------------------------------------


def today():
    """Today in Asia/Shanghai, whatever the server's clock zone."""
    return timezone.localdate(timezone=SHANGHAI)


def current_period(on=None):
    on = on or today()
    return f"{on:%Y-%m}"


def term_label(on=None):
    return schoolage.term_label(on or today())


# --------------------------------------------------------------------------
# The comparisons
# --------------------------------------------------------------------------


def _junior_latest_birth(s, on):
    """The latest birth date of a child expected in grade 7 or above on `on`.

    Mirrors schoolage.school_age(): born on or before the cutoff of year Y,
    a child starts grade 1 in Y + 6, so grade 7 in Y + 12.
    """
    return datetime.date(school_year_start(on) - 12, s.entry_cutoff_month, s.entry_cutoff_day)


def _responsible_school(village_ref, kinds):
    """The village's responsible school of the best-fitting kind, else any."""
    rank = Case(
        *(When(kind=k, then=Value(i)) for i, k in enumerate(kinds)),
        default=Value(len(kinds)),
        output_field=IntegerField(),
    )
    return Subquery(
        School.objects.filter(villages=OuterRef(village_ref))
        .annotate(rank=rank)
        .order_by("rank", "pk")
        .values("pk")[:1]
    )


def _not_enrolled_rows(*, county, township, on):
    """户籍 × 学籍: school-age people with a 户籍 here and no 学籍 in the county."""
    groups = settings_groups(county=county, township=township, path="village__township")
    in_age = compulsory_age_q(groups=groups, on=on)
    junior = reduce(
        operator.or_,
        (group_q & Q(birth_date__lte=_junior_latest_birth(s, on)) for group_q, s in groups),
    )

    # HujiRecord.id_number is always a real ID number: the roster child is
    # the one with that number (Child.id_number is unique).
    roster = Child.objects.filter(id_number=OuterRef("id_number")).order_by()
    qs = HujiRecord.objects.filter(in_age, county=county)
    if township is not None:
        qs = qs.filter(village__township=township)
    return (
        qs.exclude(
            Exists(
                XuejiRecord.objects.filter(
                    id_number=OuterRef("id_number"), school__township__county=county
                )
            )
        )
        .annotate(
            roster_child=Subquery(roster.values("pk")[:1]),
            roster_status=Subquery(roster.values("status")[:1]),
        )
        # Not on the roster (NULL status) counts as not accounted for.
        .filter(Q(roster_status__isnull=True) | ~Q(roster_status__in=ACCOUNTED_ELSEWHERE))
        .annotate(
            lead_village=Coalesce(
                F("village_id"),
                Subquery(roster.values("village_id")[:1]),
                output_field=BigIntegerField(),
            ),
        )
        .annotate(
            lead_school=Case(
                When(junior, then=_responsible_school("lead_village", STAGE_SCHOOL_RANK["junior"])),
                default=_responsible_school("lead_village", STAGE_SCHOOL_RANK["primary"]),
            ),
        )
        .order_by("id_number")
        .values(
            "pk",
            "id_number",
            "name",
            "gender",
            "birth_date",
            "roster_child",
            "roster_status",
            "lead_village",
            "lead_school",
        )
    )


def _not_enrolled_lead(row):
    detail = "户籍在本县、满足入学年龄，但县内学籍中无此人"
    if row["roster_child"] is None:
        detail += "；底数台账中亦无此人"
    else:
        detail += f"；底数台账状态为“{Status(row['roster_status']).label}”"
    return Lead(
        kind=Kind.NOT_ENROLLED,
        person_key=row["id_number"],
        name=row["name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        id_number=row["id_number"],
        village_id=row["lead_village"],
        school_id=row["lead_school"],
        child_id=row["roster_child"],
        huji_id=row["pk"],
        detail=detail,
    )


def _absent_rows(*, county, township, term):
    """学籍 × 在校: on a county school's 学籍, yet a (suspected) dropout or absent."""
    roster = Child.objects.filter(id_number=OuterRef("id_number")).order_by()
    qs = XuejiRecord.objects.filter(school__township__county=county)
    if township is not None:
        qs = qs.filter(school__township=township)
    child = Child.objects.filter(pk=OuterRef("roster_child")).order_by()
    return (
        qs.annotate(
            roster_child=Coalesce(
                F("child_id"), Subquery(roster.values("pk")[:1]), output_field=BigIntegerField()
            )
        )
        .annotate(
            is_dropout=Exists(child.filter(status__in=DROPOUT_STATUSES)),
            is_absent=Exists(
                TermCheck.objects.filter(
                    child_id=OuterRef("roster_child"), term=term, present=False
                )
            ),
        )
        .filter(Q(is_dropout=True) | Q(is_absent=True))
        .annotate(
            person=Coalesce(
                "id_number", Concat(Value("XJ:"), "xueji_number"), output_field=CharField()
            ),
            roster_status=Subquery(child.values("status")[:1]),
            child_village=Subquery(child.values("village_id")[:1]),
        )
        .order_by("person", "pk")
        .values(
            "pk",
            "person",
            "id_number",
            "name",
            "gender",
            "birth_date",
            "school_id",
            "school__name",
            "roster_child",
            "roster_status",
            "child_village",
            "is_dropout",
            "is_absent",
        )
    )


def _absent_lead(row, term):
    facts = []
    if row["is_dropout"]:
        facts.append(f"学生状态为“{Status(row['roster_status']).label}”")
    if row["is_absent"]:
        facts.append(f"{term}开学核查未到校")
    return Lead(
        kind=Kind.ABSENT,
        person_key=row["person"],
        name=row["name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        id_number=row["id_number"] or "",
        village_id=row["child_village"],
        school_id=row["school_id"],
        child_id=row["roster_child"],
        xueji_id=row["pk"],
        detail=f"{row['school__name']}有学籍，但" + "，且".join(facts),
    )


def _poverty_dropout_rows(*, county, township):
    """辍学 × 脱贫户: the county's (suspected) dropouts from 脱贫户 / 监测户."""
    qs = Child.objects.filter(status__in=DROPOUT_STATUSES, village__township__county=county)
    if township is not None:
        qs = qs.filter(village__township=township)
    poverty = PovertyRecord.objects.filter(id_number=OuterRef("id_number")).order_by()
    return (
        qs.annotate(poverty_kind=Subquery(poverty.values("kind")[:1]))
        .filter(
            Q(poverty_kind__isnull=False)
            | Q(household__is_tuopin=True)
            | Q(household__is_jiance=True)
        )
        .annotate(
            person=Coalesce(
                "id_number",
                Concat(Value("C:"), Cast("pk", CharField())),
                output_field=CharField(),
            ),
            tuopin=Coalesce("household__is_tuopin", Value(False), output_field=BooleanField()),
            jiance=Coalesce("household__is_jiance", Value(False), output_field=BooleanField()),
        )
        .order_by("person")
        .values(
            "pk",
            "person",
            "id_number",
            "name",
            "gender",
            "birth_date",
            "status",
            "village_id",
            "school_id",
            "poverty_kind",
            "tuopin",
            "jiance",
        )
    )


def _poverty_dropout_lead(row):
    flags = []
    if row["poverty_kind"]:
        flags.append(PovertyRecord.Kind(row["poverty_kind"]).label)
    for flag, label in ((row["tuopin"], "脱贫户"), (row["jiance"], "监测户")):
        if flag and label not in flags:
            flags.append(label)
    return Lead(
        kind=Kind.POVERTY_DROPOUT,
        person_key=row["person"],
        name=row["name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        id_number=row["id_number"] or "",
        village_id=row["village_id"],
        school_id=row["school_id"],
        child_id=row["pk"],
        detail=f"学生状态为“{Status(row['status']).label}”，且为{'/'.join(flags)}家庭成员",
    )


def _write_leads(*, run, rows, build):
    """Insert the leads of `rows` in batches; return how many people were found.

    The unique constraint (kind, person_key, period) and ignore_conflicts make
    an existing lead (from an earlier or a concurrent run) a no-op. `rows`
    come ordered by person key, so two concurrent runs insert in the same
    order: the second waits for the first instead of deadlocking with it.
    """
    found = set()
    batch = []
    for row in rows.iterator(chunk_size=BATCH_SIZE):
        lead = build(row)
        if lead.person_key in found:  # two 学籍 rows of one person: one lead
            continue
        found.add(lead.person_key)
        lead.county_id, lead.period, lead.run = run.county_id, run.period, run
        lead.detail = lead.detail[:300]
        batch.append(lead)
        if len(batch) >= BATCH_SIZE:
            Lead.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Lead.objects.bulk_create(batch, ignore_conflicts=True)
    return len(found)


@transaction.atomic
def run_crosscheck(*, county, township=None, period=None, by=None, on=None, term=None):
    """Run the three comparisons over a county (or one of its townships).

    `on` is the reference date for school age (default: today in Shanghai);
    `period` the lead period "YYYY-MM" (default: the month of `on`); `term`
    the term whose 开学核查 counts for 学籍 × 在校 (default: the term of `on`).
    Returns the finished CrossCheckRun; run.counts holds, per kind,
    {"found": people flagged now, "new": leads this run created}.
    """
    on = on or today()
    period = period or current_period(on)
    term = term or term_label(on)
    if not PERIOD_RE.match(period):
        raise ValidationError({"period": "比对期格式应为 YYYY-MM。"})
    if township is not None and township.county_id != county.pk:
        raise ValidationError({"township": "乡镇不属于所选县（区）。"})
    run = CrossCheckRun(county=county, township=township, period=period, started_by=by)
    run.full_clean()
    run.save()

    found = {
        Kind.NOT_ENROLLED: _write_leads(
            run=run,
            rows=_not_enrolled_rows(county=county, township=township, on=on),
            build=_not_enrolled_lead,
        ),
        Kind.ABSENT: _write_leads(
            run=run,
            rows=_absent_rows(county=county, township=township, term=term),
            build=lambda row: _absent_lead(row, term),
        ),
        Kind.POVERTY_DROPOUT: _write_leads(
            run=run,
            rows=_poverty_dropout_rows(county=county, township=township),
            build=_poverty_dropout_lead,
        ),
    }
    new = dict(
        Lead.objects.filter(run=run)
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    run.counts = {
        kind.value: {"found": n, "new": new.get(kind.value, 0)} for kind, n in found.items()
    }
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run


def run_count_rows(run):
    """[(label, found, new)] for showing a run's counts."""
    return [
        (
            kind.label,
            run.counts.get(kind.value, {}).get("found", 0),
            run.counts.get(kind.value, {}).get("new", 0),
        )
        for kind in COMPARED_KINDS
    ]
