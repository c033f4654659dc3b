"""四查三比对 (DOMAIN §5, NATIONAL §1): the three comparisons
(comparisons.py) and the leads they produce, who sees them and the
decisions on them (leads.py).

* A comparison only ever produces **leads**. Nothing about a child changes
  until a person confirms a lead (`confirm_lead`).
* Every comparison is set-based SQL: the rows it finds come from one query
  (Exists / Subquery over the whole county), and leads are written with
  `bulk_create(ignore_conflicts=True)` against the unique constraint
  (kind, person_key, period): running twice, or twice at once, writes each
  lead once. What a run created is what carries its `run` foreign key.
* Roster children are matched to 学籍 / 户籍 / 脱贫户 rows by ID number in SQL.
  `XuejiRecord.id_number` is only ever a real ID number (never an L/J 学籍号).
"""

from .assign import assign_lead, assignable_villages  # noqa: F401
from .comparisons import (  # noqa: F401
    ACCOUNTED_ELSEWHERE,
    COMPARED_KINDS,
    current_period,
    run_count_rows,
    run_crosscheck,
    term_label,
    today,
)
from .leads import (  # noqa: F401
    confirm_lead,
    decidable_lead_ids,
    dismiss_lead,
    lead_periods,
    leads_for_user,
    may_decide_leads,
    run_targets,
    runs_for_user,
)
