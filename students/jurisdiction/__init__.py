"""The one place that decides who may see and do what.

`access(user)` is the user's Access, built once per request (cached on the
user object like its memberships): query builders (Q objects) for every
scoped thing and `may_…` predicates for every action. Views, selectors,
forms, imports, exports, tasks and the menu ask it; nothing else branches on
roles. Builders take `path`, the lookup from the model being queried to the
scoped thing (`child__` for a case, `case__child__` for a to-do), so this
module knows no model of cases/ or reports/ and stays at the bottom.

A new office (the county's leading group, 公安, 司法所) is a new Role with a
line in each `REACH_*` table below and in the role sets that grant actions;
nothing outside this module changes. Unmasked looks go through
`Access.reveal()`, which checks and records in one step (the audit hook).
"""

from .access import (  # noqa: F401
    SYSTEM,
    Access,
    SystemActor,
    access,
    memberships,
    preload_access,
)
from .rules import Role  # noqa: F401
