"""劝学记录 (001 附件2): every contact with the family — by phone, a home visit
or a joint visit of the school with the village or township — recorded with
its participants, photos and signatures; recording one completes the case's
open to-dos it answers (the tables in services.py) and writes the timeline.

The package: services.py (the write and the answer tables), selectors.py
(reads), forms.py, views.py, urls.py; the models are in
cases/models/persuasion.py (re-exported by models.py). This module re-exports
the names other modules and the tests use.
"""

from .selectors import (
    SIDE_OF_ROLE,
    TITLE_OF_ROLE,
    attachment_for_case,
    first_participant,
    list_context,
    may_record,
    record_for_case,
    records_for_case,
)
from .services import (
    ANSWERS_BY_METHOD,
    CLOCK_SKEW,
    HOME_VISIT_ANSWERS,
    MAX_ATTACHMENTS,
    PHOTO_METHODS,
    answered_kinds,
    record_persuasion,
)

__all__ = [
    "ANSWERS_BY_METHOD",
    "CLOCK_SKEW",
    "HOME_VISIT_ANSWERS",
    "MAX_ATTACHMENTS",
    "PHOTO_METHODS",
    "SIDE_OF_ROLE",
    "TITLE_OF_ROLE",
    "answered_kinds",
    "attachment_for_case",
    "first_participant",
    "list_context",
    "may_record",
    "record_for_case",
    "record_persuasion",
    "records_for_case",
]
