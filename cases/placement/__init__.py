"""Placing a never-enrolled child (未入学) at a school by age (002; DOMAIN §5):
the last step of the 未入学 ladder (cases/ladder/enrolment.py). Placing sets
the child 在读 at that school, grade and class and moves the case on to
已复学待核验 through cases/states.py (then 学籍 and 销号 as cases/closing/)."""
