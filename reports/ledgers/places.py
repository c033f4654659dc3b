"""Places: the user's reach, named from the data, for sheet titles and units."""

from dataclasses import dataclass

from students.jurisdiction import is_sysadmin, memberships
from students.models import County, Membership

from .cells import GRADE_LABELS

Role = Membership.Role


# --------------------------------------------------------------------------
# Places: sheet titles come from the data, never from the code
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    head: str  # 示范县 / 蛟潭镇 / 福港学校
    detail: str = ""  # 蛟潭村 / 五年级1班

    def title(self, ledger_title):
        return f"{self.head}{ledger_title}" + (f"（{self.detail}）" if self.detail else "")

    @property
    def unit(self):
        return f"{self.head}{self.detail}"

    def narrowed(self, *, township=None, village=None, school=None):
        place = self
        if village is not None:
            place = Place(village.township.name, village.name)
        elif township is not None:
            place = Place(township.name)
        if school is not None:
            detail = "、".join(d for d in (place.detail, school.name) if d)
            place = Place(place.head, detail)
        return place


def _join(names):
    return "、".join(dict.fromkeys(names))


def user_place(user):
    """The user's reach, named from the data: 示范县, 蛟潭镇（蛟潭村、福港村）."""
    if is_sysadmin(user):
        return Place(_join(County.objects.values_list("name", flat=True)) or "全部")
    heads, details = [], []
    for m in memberships(user):
        if m.role == Role.COUNTY:
            heads.append(m.county.name)
        elif m.role == Role.TOWNSHIP:
            heads.append(m.township.name)
        elif m.role == Role.VILLAGE:
            heads.append(m.village.township.name)
            details.append(m.village.name)
        elif m.role == Role.SCHOOL_ADMIN:
            heads.append(m.school.name)
        elif m.role == Role.TEACHER:
            heads.append(m.school.name)
            details.append(f"{GRADE_LABELS.get(m.grade, '')}{m.class_name}")
    # Details only make sense when they are all that the user reaches.
    if any(m.role not in (Role.VILLAGE, Role.TEACHER) for m in memberships(user)):
        details = []
    return Place(_join(heads), _join(details))
