"""The school's report and the township's 《限期返校通知书》 (seed 004).

At day 5 the school files its 辍学情况报告单 to the township where the child
lives; the township issues a numbered notice ordering the guardian to send
the child back within a few school days, serves it with a village cadre as
witness, and records what came of it (returned, late, refused → 司法所).

The package: services.py (filing, issuing with its gap-free numbering,
service, outcome; the notice's legal wording), selectors.py (reads, a
notice's status, what the pages prefill), forms.py, views.py, urls.py; the
models are in cases/models/notices.py (re-exported by models.py). This module
re-exports the names other modules and the tests use.
"""

from . import rules
from .overrides import override_step
from .rules import unmet_preconditions
from .selectors import (
    case_panel_context,
    default_guardian,
    default_recipients,
    default_summary,
    notice_for_user,
    notice_status,
    notices_for_user,
    notices_of_case,
    reported_cases_for_user,
    reports_of_case,
    township_of,
    with_status,
)
from .services import (
    CONSEQUENCE,
    FINE_CLAUSE,
    LEGAL_BASIS,
    RECEIPT_EXTENSIONS,
    draft_return_notice,
    file_report,
    issue_return_notice,
    record_outcome,
    record_service,
)

__all__ = [
    "CONSEQUENCE",
    "FINE_CLAUSE",
    "LEGAL_BASIS",
    "RECEIPT_EXTENSIONS",
    "case_panel_context",
    "default_guardian",
    "default_recipients",
    "default_summary",
    "draft_return_notice",
    "file_report",
    "issue_return_notice",
    "notice_for_user",
    "notice_status",
    "notices_for_user",
    "notices_of_case",
    "override_step",
    "record_outcome",
    "record_service",
    "reported_cases_for_user",
    "reports_of_case",
    "rules",
    "township_of",
    "unmet_preconditions",
    "with_status",
]
