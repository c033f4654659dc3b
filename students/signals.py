"""Signals other apps may listen to (students/ never imports them)."""

from django.dispatch import Signal

# Sent at the end of students.demo.seed(), with `county` and `today`: other
# apps add their own demo data (cases/ adds the school calendar).
demo_seeded = Signal()
