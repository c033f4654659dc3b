"""Endings that are not dropouts (转学, 外出就读, 户籍迁出, 死亡), reopening a
closed case, and the 小升初 hand-over: services.py and handover.py."""

from .handover import JUNIOR_NOTE, junior_candidates, junior_handover_cases  # noqa: F401
from .services import (  # noqa: F401
    CONFIRM_METHODS,
    OTHER_ENDINGS,
    close_other,
    confirm_destination,
    destinations,
    may_end,
    may_reopen,
    record_destination,
    reopen_case,
)
