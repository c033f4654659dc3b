"""The term-start check (开学后10日内到校核查, 000 and 004): within the first
days of term each village and school confirms which of its children came.

The children marked absent make the 《动态摸排未到校学生名单》 (reports/) and
feed the 学籍 × 在校 comparison (crosscheck.py). The page, the term (from the
county's calendar) and each place's deadline are in cases/termlist/.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, OuterRef, Q, Subquery

from .jurisdiction import access
from .models import Child, TermCheck

Status = Child.Status
TERM_RE = re.compile(r"^\d{4}年(春|秋)季学期$")
BATCH_SIZE = 1000
# Children who should be at school when term starts: the term check lists them.
TERM_CHECK_STATUSES = [
    Status.ENROLLED,
    Status.NOT_ENROLLED,
    Status.SUSPECTED_DROPOUT,
    Status.DROPOUT,
]


def term_check_scope(user):
    """A Q over Child: whom the user checks at term start.

    A village cadre their village's children; a school admin their school's;
    a class teacher their class. Township and county offices read the result.
    """
    return access(user).term_check_children()


def may_check_term(user):
    return access(user).may_check_term()


def may_open_term_check(user):
    return access(user).may_open_term_check()


def _with_term_answer(children, *, term):
    """Annotate tc_present (None = not yet checked) and tc_note for `term`."""
    check = TermCheck.objects.filter(term=term, child=OuterRef("pk")).order_by()
    return children.annotate(
        tc_present=Subquery(check.values("present")[:1], output_field=BooleanField()),
        tc_note=Subquery(check.values("note")[:1]),
    )


def children_for_term_check(user, *, term):
    """The children to check, each annotated with this term's answer (or None)."""
    children = Child.objects.filter(term_check_scope(user), status__in=TERM_CHECK_STATUSES)
    return (
        _with_term_answer(children, term=term)
        .select_related("village", "school")
        .order_by("school__name", "grade", "class_name", "village__name", "name", "pk")
    )


def term_check_children(user, *, term, pks):
    """These children, if the user checks them (any status), with this term's answer."""
    children = Child.objects.filter(term_check_scope(user), pk__in=pks)
    return list(_with_term_answer(children, term=term))


def term_check_summary(user, *, term):
    """{"total", "checked", "absent"} over the user's term-check children."""
    return Child.objects.filter(term_check_scope(user), status__in=TERM_CHECK_STATUSES).aggregate(
        total=Count("pk", distinct=True),
        checked=Count("term_checks", filter=Q(term_checks__term=term), distinct=True),
        absent=Count(
            "term_checks",
            filter=Q(term_checks__term=term, term_checks__present=False),
            distinct=True,
        ),
    )


@transaction.atomic
def record_term_checks(*, term, entries, by):
    """Upsert one TermCheck per (term, child): re-saving updates, never duplicates.

    `entries` is [(child, present, note)] for children already scoped to `by`.
    Returns how many were saved.
    """
    if not TERM_RE.match(term or ""):
        raise ValidationError({"term": "学期格式应为“2026年秋季学期”。"})
    rows = []
    for child, present, note in entries:
        row = TermCheck(
            term=term, child=child, present=present, note=(note or "").strip(), checked_by=by
        )
        # The children come from a scoped query: skip the per-row FK lookups.
        row.full_clean(
            exclude=["child", "checked_by"], validate_unique=False, validate_constraints=False
        )
        rows.append(row)
    TermCheck.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["term", "child"],
        update_fields=["present", "note", "checked_by", "checked_at"],
        batch_size=BATCH_SIZE,
    )
    return len(rows)
