"""六处置 (000 附件1《控辍保学三访一验六处置办法》): the one place their rules live.

`REGISTRY` holds, for each Disposition.Kind: its label, who may ask for it,
whether the county education bureau approves, the rule check (Chinese
messages naming what is missing), the evidence the archive needs (000 附件3
《档案资料清单》) and the ending the case is struck off with (the child's
入学状态 follows through cases/states.ENDING_STATUS).

A disposition runs: 准备材料 (draft: facts and evidence) → for the four the
county approves, 待县教育局审批 → 已批准, or 未批准 (the case goes back to
劝返中) → 已销号 (close_disposition: the case closes with the kind's ending).
Nothing is struck off while the rule or the checklist has a gap: the refusal
lists every gap. The daily follow-ups (送教上门 weekly, 移交县级核处 monthly,
休学/缓学 review) are in followups.py.

The package, by domain: rules.py (Rule/Evidence/Fact, the limits, the rule
checks), registry.py (REGISTRY), dossier.py (a disposition's evidence and facts,
the checklist, problems()), permissions.py (who may do what), services.py (the
writes), states.py (the table of which state allows which action: may()),
home_teaching.py (送教上门 sessions), selectors.py (reads, the case
panel), followups.py (daily_followups), and the pages: forms.py, views.py,
urls.py. This module re-exports the names the
views, cases/ladder/scan.py and the tests use.
"""

from .dossier import CLOSE, SUBMIT, checklist, load_dossier, load_dossiers, problems
from .followups import daily_followups
from .home_teaching import record_session
from .permissions import (
    kinds_for,
    may_act,
    may_approve,
    may_approve_anything,
    may_record_session,
)
from .registry import REGISTRY, Kind, approver_name
from .rules import Source, local_day
from .selectors import (
    case_panel_context,
    dispositions_of,
    home_teaching_progress,
    is_running,
    pending_for_user,
)
from .services import (
    ONGOING_TODO_KINDS,
    add_evidence,
    close_disposition,
    decide_disposition,
    save_facts,
    start_disposition,
    submit_disposition,
    withdraw_disposition,
)
from .states import is_active, may

__all__ = [
    "CLOSE",
    "ONGOING_TODO_KINDS",
    "REGISTRY",
    "SUBMIT",
    "Kind",
    "Source",
    "add_evidence",
    "approver_name",
    "case_panel_context",
    "checklist",
    "close_disposition",
    "daily_followups",
    "decide_disposition",
    "dispositions_of",
    "home_teaching_progress",
    "is_active",
    "is_running",
    "kinds_for",
    "load_dossier",
    "load_dossiers",
    "local_day",
    "may",
    "may_act",
    "may_approve",
    "may_approve_anything",
    "may_record_session",
    "pending_for_user",
    "problems",
    "record_session",
    "save_facts",
    "start_disposition",
    "submit_disposition",
    "withdraw_disposition",
]
