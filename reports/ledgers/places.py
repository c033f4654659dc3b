"""Places: the user's reach, named from the data, for sheet titles and units."""

from dataclasses import dataclass

from students.jurisdiction import access

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


def user_place(user):
    """The user's reach, named from the data: 示范县, 蛟潭镇（蛟潭村、福港村）."""
    heads, details = access(user).reach_names()
    return Place("、".join(heads), "、".join(details))
