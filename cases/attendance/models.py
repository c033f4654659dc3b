from ..models import Absence, ClassRollCall  # noqa: F401  (defined in cases/models/attendance.py)
