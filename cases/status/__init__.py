"""A child's 入学状态 changed by hand, kept in step with the case.

No child may be 疑似辍学 or 辍学 without an open case, and a hand change to
在读 ends the case it had: the status change, its history and the case's
transition (cases/states.py) are one transaction. It lives on the cases side
because students must not import cases; the child's page posts here.
"""
