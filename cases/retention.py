"""Retention (PIPL Arts. 6, 19): sensitive details of children who left
compulsory education long ago are erased.

A child has left compulsory education when they graduated (毕业/结业) or died,
or are past compulsory-school age; once that is more than the county's (or
township's) `retention_years` ago, and no case of theirs is still open, this
erases their photos and files (persuasion photos and signatures, evidence,
notice receipts, 送教上门 photos), phones, addresses, the persuasion records'
family situation and the disability details, in the history tables too.
Name, ID number, status and case outcomes stay: the ledgers still list them.

Idempotent: a second run finds nothing left to erase and writes nothing.
"""

import datetime
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from students.models import Child, Household, HujiRecord, XuejiRecord
from students.schoolage import compulsory_birth_range
from students.selectors import settings_groups

from .models import Attachment, Case, HomeTeachingSession, PersuasionRecord, ReturnNotice

LEFT_STATUSES = [Child.Status.GRADUATED, Child.Status.DECEASED]

CHILD_ERASE = {
    "father_phone": "",
    "mother_phone": "",
    "guardian_phone": "",
    "address": "",
    "disability_category": "",
    "disability_grade": None,
    "disability_certified": False,
    "disability_self_care": "",
    "disability_learning": "",
    "in_rehabilitation": False,
}
HOUSEHOLD_ERASE = {"phone": "", "address": ""}
PERSUASION_FILES = ["presence_photo", "guardian_signature", "student_signature"]


@dataclass
class Erased:
    children: int = 0
    households: int = 0
    files: int = 0

    def as_dict(self):
        return {"children": self.children, "households": self.households, "files": self.files}


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def expired_children_q(*, on):
    """A Q over Child: left compulsory education more than the retention
    period before `on`, by the settings in force where the child lives."""
    q = Q(pk__in=[])
    for where, s in settings_groups():
        cutoff = _years_before(on, s.retention_years)
        earliest, _ = compulsory_birth_range(
            cutoff_month=s.entry_cutoff_month, cutoff_day=s.entry_cutoff_day, on=cutoff
        )
        left = Q(status__in=LEFT_STATUSES, status_changed_at__date__lt=cutoff) | Q(
            birth_date__lt=earliest
        )
        q |= where & left
    return q & ~Q(cases__in=Case.objects.exclude(state=Case.State.CLOSED))


def _something_left(fields):
    q = Q()
    for name, empty in fields.items():
        q |= ~Q(**{name: empty}) if empty is not None else Q(**{f"{name}__isnull": False})
    return q


def erase_expired(*, on=None):
    """Erase what the retention rule says; return the counts."""
    on = on or datetime.date.today()
    child_ids = list(
        Child.objects.filter(expired_children_q(on=on)).values_list("pk", flat=True).distinct()
    )
    result = Erased()
    if not child_ids:
        return result
    files = []
    with transaction.atomic():
        result.children = (
            Child.objects.filter(pk__in=child_ids)
            .filter(_something_left(CHILD_ERASE))
            .update(**CHILD_ERASE)
        )
        Child.history.model.objects.filter(id__in=child_ids).filter(
            _something_left(CHILD_ERASE)
        ).update(**CHILD_ERASE)

        # A household's phone and address go once none of its children needs them.
        households = Household.objects.filter(children__pk__in=child_ids).exclude(
            children__in=Child.objects.exclude(pk__in=child_ids)
        )
        household_ids = list(households.values_list("pk", flat=True).distinct())
        result.households = (
            Household.objects.filter(pk__in=household_ids)
            .filter(_something_left(HOUSEHOLD_ERASE))
            .update(**HOUSEHOLD_ERASE)
        )
        Household.history.model.objects.filter(id__in=household_ids).filter(
            _something_left(HOUSEHOLD_ERASE)
        ).update(**HOUSEHOLD_ERASE)

        id_numbers = list(
            Child.objects.filter(pk__in=child_ids, id_number__isnull=False).values_list(
                "id_number", flat=True
            )
        )
        XuejiRecord.objects.filter(id_number__in=id_numbers).exclude(address="", phone="").update(
            address="", phone=""
        )
        HujiRecord.objects.filter(id_number__in=id_numbers).exclude(address="").update(address="")

        records = PersuasionRecord.objects.filter(case__child__in=child_ids)
        for name in PERSUASION_FILES:
            files += _clear_files(records, name)
        records.exclude(family_situation="").update(family_situation="")
        files += _clear_files(ReturnNotice.objects.filter(case__child__in=child_ids), "receipt")
        files += _clear_files(
            HomeTeachingSession.objects.filter(disposition__case__child__in=child_ids), "photo"
        )
        attachments = Attachment.objects.filter(case__child__in=child_ids)
        files += list(attachments.values_list("file", flat=True))
        attachments.delete()
        # Files go only once the rows no longer name them.
        transaction.on_commit(lambda: _delete_files(files))
    result.files = len([f for f in files if f])
    return result


def _clear_files(queryset, field):
    rows = queryset.exclude(**{field: ""})
    names = list(rows.values_list(field, flat=True))
    rows.update(**{field: ""})
    return names


def _delete_files(names):
    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
