"""Run the same work twice (or more) at once, as two workers or two clerks would."""

import threading
import time

from django.db import OperationalError, connection


def at_once(fn, times=2):
    """Call `fn()` `times` times at the same moment, each in its own thread
    and database connection; return the results (in finishing order).

    PostgreSQL runs them truly at once (a second writer waits on the lock or
    unique index). SQLite's shared-cache test database refuses a second
    writer with "table is locked" instead of waiting: like the Celery tasks
    (autoretry_for=OperationalError, retry_backoff), try again a bit later.
    """
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            for attempt in range(50):
                try:
                    results.append(fn())
                    return
                except OperationalError:
                    if connection.vendor != "sqlite":
                        raise
                    time.sleep(0.02 * (attempt + 1))
        except Exception as e:  # reported below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(results) == times, "a run did not finish"
    return results
