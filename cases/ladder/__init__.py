"""The escalation ladder: the county's steps (1 / 3 / 5 school days: call →
home visit → village visit → school report → township notice) as to-dos
(todos.py), and the daily scan that climbs it (scan.py: absences → cases →
to-dos → statuses, returns and 销号, overdue flags and the follow-ups)."""

from .todos import (  # noqa: F401
    Role,
    create_todos,
    make_todo,
    responsible_place,
    step_todo,
    steps_reached,
)
