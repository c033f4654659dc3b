from ..models import CalendarDay, Term  # noqa: F401  (defined in cases/models/calendar.py)
