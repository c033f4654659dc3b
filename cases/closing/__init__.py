"""After 复学: the 学籍 and 销号 as seed 004 四(四)1 prescribes.

- The school restores or rebuilds the child's 学籍 within 3 days of the
  return (a to-do for the school, done by recording it).
- 销号 is confirmed by a person: once the child has attended the county's
  verification days (`return_verify_days`), the daily scan gives the school a
  to-do to propose it; the school proposes, the township signs off, and the
  case is struck off with who and when (Case.close_proposed_*/close_confirmed_*
  and their CaseEvents, written by cases/states.py). The township's 总台账
  (reports) shows that sign-off.

todos.py (the to-dos), services.py (the writes), views.py, urls.py.
"""
