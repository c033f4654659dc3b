"""The demo county's places: townships, villages, 村民小组 and schools (and the
demo class teacher's class)."""

from __future__ import annotations

from ..models import (
    County,
    JurisdictionSettings,
    School,
    SchoolKind,
    Township,
    Village,
    VillageGroup,
)

COUNTY = "示范县"

# Township -> (ID area code, villages with their number of 村民小组).
TOWNSHIPS = {
    "蛟潭镇": ("360222", {"蛟潭村": 3, "福港村": 2, "礼芳村": 3, "月形村": 2}),
    "左岚乡": ("500234", {"左岚村": 3, "齐心村": 2, "石院村": 3, "谭家村": 2}),
}
GROUP_NAMES = ["一组", "二组", "三组"]

# School -> (kind, township, responsible villages).
SCHOOLS = {
    "蛟潭镇中心学校": (SchoolKind.NINE_YEAR, "蛟潭镇", ["蛟潭村", "礼芳村", "月形村"]),
    "福港学校": (SchoolKind.PRIMARY, "蛟潭镇", ["福港村"]),
    "左岚乡中心小学": (SchoolKind.PRIMARY, "左岚乡", ["左岚村", "齐心村", "石院村", "谭家村"]),
    "左岚初级中学": (SchoolKind.JUNIOR, "左岚乡", ["左岚村", "齐心村", "石院村", "谭家村"]),
}

# The demo class teacher's class; the roster makes sure it is not empty.
TEACHER_SCHOOL, TEACHER_GRADE, TEACHER_CLASS = "蛟潭镇中心学校", 5, "1班"
TEACHER_CLASS_MIN = 12

# --------------------------------------------------------------------------
# Places, schools
# --------------------------------------------------------------------------


def _ensure_places():
    county, _ = County.objects.get_or_create(name=COUNTY)
    JurisdictionSettings.objects.get_or_create(county=county, township=None)
    townships, villages, groups = {}, {}, {}
    for t_name, (_area, village_spec) in TOWNSHIPS.items():
        township, _ = Township.objects.get_or_create(county=county, name=t_name)
        townships[t_name] = township
        for v_name, n_groups in village_spec.items():
            village, _ = Village.objects.get_or_create(township=township, name=v_name)
            villages[(t_name, v_name)] = village
            for g_name in GROUP_NAMES[:n_groups]:
                group, _ = VillageGroup.objects.get_or_create(village=village, name=g_name)
                groups[(t_name, v_name, g_name)] = group
    schools = {}
    for s_name, (kind, t_name, v_names) in SCHOOLS.items():
        school, _ = School.objects.get_or_create(
            name=s_name, defaults={"kind": kind, "township": townships[t_name]}
        )
        school.villages.add(*(villages[(t_name, v)] for v in v_names))
        schools[s_name] = school
    return county, townships, villages, groups, schools
