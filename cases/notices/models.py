# The models live in cases/models/notices.py (Django loads them from cases.models).
from ..models.notices import DropoutReport, NoticeCounter, ReturnNotice  # noqa: F401
