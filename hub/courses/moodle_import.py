"""Importing a Moodle course backup (.mbz): unpack within limits, convert to a course
folder (:mod:`.moodle_backup`), then the ordinary content import. The caller commits."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Callable

from flask import current_app

from .content import ContentError, ImportReport, import_checked
from .moodle_backup import MAX_BYTES, MAX_FILES, BackupError, BackupReport, convert, unpack


def import_backup(fileobj, *, slug: str | None = None,
                  may_update: Callable | None = None) -> tuple[ImportReport, BackupReport]:
    """Import the backup in ``fileobj`` (a seekable binary file) as one course,
    unpublished so its trainers can look it over first. Raises ContentError with a
    message for the uploader when the file is not a readable Moodle course backup;
    ImportFailed (with its report) when the converted course has problems."""
    config = current_app.config
    with tempfile.TemporaryDirectory(prefix="hub-mbz-") as tmp:
        try:
            unpack(fileobj, Path(tmp) / "backup", max_files=int(config.get("MOODLE_BACKUP_MAX_FILES", MAX_FILES)),
                   max_bytes=int(config.get("MOODLE_BACKUP_MAX_BYTES", MAX_BYTES)))
            folder, backup_report = convert(Path(tmp) / "backup", Path(tmp) / "course", slug=slug)
        except BackupError as error:
            raise ContentError("(backup)", None, str(error)) from None
        report = import_checked([folder], may_update=may_update)
    return report, backup_report
