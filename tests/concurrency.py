"""Run the same work twice (or more) at once, as two workers or two clerks would."""

import contextlib
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import quote

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections


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


@contextlib.contextmanager
def shared_database(folder):
    """The test's committed rows on a database that other threads and other
    processes open as a running site would: yields its DATABASE_URL.

    On PostgreSQL that is the test database itself (use it with
    `transactional_db`). On SQLite the in-memory test database (shared cache)
    does not lock as a real one does, so its rows are copied into a file in
    `folder` (what `make run` uses) and every connection of this process, in
    any thread, opens that file until the block ends.
    """
    alias = DEFAULT_DB_ALIAS
    if connection.vendor != "sqlite":
        s = connection.settings_dict
        yield (
            f"postgres://{quote(s['USER'] or '')}:{quote(s['PASSWORD'] or '')}"
            f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
        return
    in_memory = connections[alias]
    in_memory.ensure_connection()
    path = Path(folder) / "kongchuo.sqlite3"
    copy = sqlite3.connect(path)
    in_memory.connection.backup(copy)
    copy.close()
    old_settings = connections.settings[alias]
    file_settings = {**old_settings, "NAME": str(path)}
    connections.settings[alias] = file_settings
    connections[alias] = in_memory.__class__(file_settings, alias)
    try:
        yield f"sqlite:///{path}"
    finally:
        connections[alias].close()
        connections.settings[alias] = old_settings
        connections[alias] = in_memory
