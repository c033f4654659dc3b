"""The ledgers (台账) a county, township and village keep, and their rows.

DOMAIN §7 and §9: the county's three ledgers (适龄儿童台账, 疑似辍学学生台账,
辍学学生台账), the village's 适龄儿童少年底数台账 (seed 004) and the term-start
《动态摸排未到校学生名单》 (seed 000 附件2), each with the seeds' exact columns.

Reads only, plus the one write every unmasked export owes (`record_export`).
Every selection starts from `students.jurisdiction` (access(user).children()
/ .villages()): a page and its export show the same rows, and never a child
outside the user's reach. Rows are read as plain values in one joined query
(`values()`: no model instances, no per-row queries), so a page or an export
costs the same few queries for 30 children or 50,000.

The package, by domain word: definitions.py (the five ledgers and their
columns), cases.py (the 控辍保学总台账: one row per case), by_name.py (every
ledger by its title, for `manage.py export_ledger`), cells.py (Viewer and the cell/row functions), places.py (titles
from the data), selection.py (the scoped selections and filters, the term
list; who may see and export what is students.jurisdiction's) and excel.py (the export writer).
Everything other code uses is re-exported here: `from reports import ledgers`.
"""

from .cases import CASE_LEDGER, close_state, select_case_ledger
from .cells import (
    FAMILY_FLAGS,
    FIELDS,
    GENDER_LABELS,
    GRADE_LABELS,
    STATUS_LABELS,
    Viewer,
)
from .definitions import (
    CHILD_LEDGERS,
    DROPOUT,
    SCHOOL_AGE,
    SUSPECTED_DROPOUT,
    TERM_ABSENT,
    VILLAGE_ROSTER,
    WIDTHS,
    Ledger,
)
from .excel import (
    CONFIDENTIAL,
    FILENAME_FORBIDDEN,
    FULL_EXPORT_LABEL,
    SHEET_NAME_FORBIDDEN,
    build_workbook,
    discard,
    export_filename,
    record_export,
)
from .places import Place, user_place
from .selection import (
    LedgerFilter,
    Selection,
    TermListFilter,
    current_term_label,
    roster_villages,
    select_child_ledger,
    select_term_list,
    select_village_roster,
    term_labels,
)

__all__ = [
    "CASE_LEDGER",
    "close_state",
    "select_case_ledger",
    "CHILD_LEDGERS",
    "CONFIDENTIAL",
    "DROPOUT",
    "FAMILY_FLAGS",
    "FIELDS",
    "FILENAME_FORBIDDEN",
    "FULL_EXPORT_LABEL",
    "GENDER_LABELS",
    "GRADE_LABELS",
    "SCHOOL_AGE",
    "SHEET_NAME_FORBIDDEN",
    "STATUS_LABELS",
    "SUSPECTED_DROPOUT",
    "TERM_ABSENT",
    "VILLAGE_ROSTER",
    "WIDTHS",
    "Ledger",
    "LedgerFilter",
    "Place",
    "Selection",
    "TermListFilter",
    "Viewer",
    "build_workbook",
    "discard",
    "current_term_label",
    "export_filename",
    "record_export",
    "roster_villages",
    "select_child_ledger",
    "select_term_list",
    "select_village_roster",
    "term_labels",
    "user_place",
]
