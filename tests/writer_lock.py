"""Whether some connection holds the SQLite writer lock (hub/database.py WriterLock)."""
from __future__ import annotations

import fcntl
import os


def writer_lock_is_free(database_file) -> bool:
    fd = os.open(f"{database_file}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
