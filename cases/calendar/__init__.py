"""The school calendar (校历): which days are school days, for a county and
for each school (its own terms and days replace the county's). Everything
that counts days counts school days through SchoolCalendar.

Reads are in selectors.py, writes (terms, local days) in services.py; the
page in views.py.
"""

from .selectors import (  # noqa: F401
    MAX_SEARCH_DAYS,
    ONE_DAY,
    TERM_WINDOW,
    SchoolCalendar,
    calendar_around,
    is_national_working_day,
)
from .services import (  # noqa: F401
    MAX_TERM_DAYS,
    check_calendar_day,
    check_term,
    delete_calendar_day,
    delete_term,
    save_calendar_day,
    save_term,
)
