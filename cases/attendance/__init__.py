"""Attendance (考勤): a class's daily roll call and the children's absences
(leave or unexcused), recorded by class teachers and school administrators,
one child at a time or from an Excel sheet (importing.py); an absence
corrected late reconsiders the child's open case.

Reads are in selectors.py, writes in services.py; the pages in views.py.
"""

from .selectors import (  # noqa: F401
    MARKS,
    ON_ROLL_STATUSES,
    PRESENT,
    SchoolClass,
    absences_on,
    attendance_child_for_user,
    attendance_scope,
    class_children,
    classes_for_user,
    current_streak,
    day_problem,
    last_school_day,
    may_take_attendance,
    recent_absences,
    roll_call,
    school_calendar,
)
from .services import (  # noqa: F401
    BATCH_SIZE,
    CANCEL_NOTE,
    REASON_REQUIRED,
    SaveResult,
    new_absence,
    reconsider_case,
    record_child_absence,
    record_class_attendance,
    save_absences,
)
