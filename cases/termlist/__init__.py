"""The term list (动态摸排未到校学生名单, 000 §三(三) 附件2; 004 §四(一)2):
within the county's first `term_check_days` school days of each term, every
village and every school checks who came (students/termcheck.py) and submits
its list. The deadline is a `Todo` without a case, one per place and term
(services.py), shown and flagged overdue like the ladder's to-dos; the page
is /checks/term/ (views.py). Which term it is comes from the county's own
calendar (selectors.py), never from fixed months.
"""
