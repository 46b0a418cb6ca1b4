"""Unpacking a Moodle backup (.mbz) safely and reading its XML files. Pure: no Flask.

Moodle 2.6+ writes a gzip tar, older versions a zip; both are read. Only regular files
are unpacked, under limits on their number and unpacked size (archive bombs), and
XML goes through defusedxml (no entities, no DTD)."""
from __future__ import annotations

import stat
import tarfile
import xml.etree.ElementTree as ET
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import defusedxml
from defusedxml.ElementTree import parse as parse_xml

MAX_FILES = 20000
MAX_BYTES = 500 * 1024 * 1024


class BackupError(ValueError):
    """The file is not a Moodle course backup the hub can read; the message says why."""


def unpack(fileobj, target: Path, *, max_files: int = MAX_FILES, max_bytes: int = MAX_BYTES) -> None:
    """Unpack a gzip tar, tar or zip safely: regular files only, no absolute paths or
    '..', at most ``max_files`` files and ``max_bytes`` unpacked (zip bombs)."""
    head = fileobj.read(4)
    fileobj.seek(0)
    if head.startswith(b"PK"):
        _unpack_zip(fileobj, target, max_files, max_bytes)
        return
    try:
        archive = tarfile.open(fileobj=fileobj, mode="r:*")
    except (tarfile.TarError, OSError, EOFError):
        raise BackupError("the file is not a Moodle backup (.mbz): it is neither a gzip tar nor a zip archive") \
            from None
    total = count = 0
    with archive:
        try:
            for member in archive:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"{member.name}: links and special files are not allowed in a backup")
                count += 1
                total += member.size
                _check_limits(count, total, max_files, max_bytes)
                destination = _destination(target, member.name)
                if destination is None:
                    continue
                source = archive.extractfile(member)
                assert source is not None  # a regular file
                _copy(source, destination, member.size, member.name)
        except (tarfile.TarError, OSError, EOFError, zlib.error):
            raise BackupError("the backup is damaged: the archive ends early or is corrupt") from None


def _unpack_zip(fileobj, target: Path, max_files: int, max_bytes: int) -> None:
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError):
        raise BackupError("the file is not a Moodle backup (.mbz): the zip archive is damaged") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        _check_limits(len(members), sum(m.file_size for m in members), max_files, max_bytes)
        for member in members:
            if stat.S_ISLNK(member.external_attr >> 16):
                raise BackupError(f"{member.filename}: links are not allowed in a backup")
            destination = _destination(target, member.filename)
            if destination is None:
                continue
            try:
                with archive.open(member) as source:
                    _copy(source, destination, member.file_size, member.filename)
            except (zipfile.BadZipFile, OSError, EOFError):
                raise BackupError("the backup is damaged: a file of the zip archive cannot be read") from None


def _check_limits(count: int, total: int, max_files: int, max_bytes: int) -> None:
    if count > max_files:
        raise BackupError(f"the backup has more than {max_files} files")
    if total > max_bytes:
        raise BackupError(f"the backup unpacks to more than {round(max_bytes / 2**20, 2):g} MB")


def _destination(target: Path, name: str) -> Path | None:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or ":" in name:
        raise BackupError(f"{name}: unsafe path in the backup")
    parts = [p for p in path.parts if p not in ("", ".")]
    if not parts or parts[0] == "__MACOSX":
        return None
    destination = target.joinpath(*parts)
    destination.parent.mkdir(parents=True, exist_ok=True)
    return destination


def _copy(source, destination: Path, size: int, name: str) -> None:
    remaining = size
    with destination.open("wb") as out:
        while chunk := source.read(65536):
            remaining -= len(chunk)
            if remaining < 0:
                raise BackupError(f"{name}: the file is larger than the archive says")
            out.write(chunk)


def inside(root: Path, name: str) -> Path:
    """``root / name`` for a path the backup's own XML gives; refused when it leaves ``root``."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts or ":" in name:
        raise BackupError(f"{name}: unsafe path in the backup")
    return root.joinpath(*parts)


def read_xml(root: Path, name: str, required: bool = True) -> ET.Element | None:
    path = inside(root, name)
    if not path.is_file():
        if required:
            raise BackupError(f"{name} is missing: the file is not a complete Moodle course backup")
        return None
    try:
        return parse_xml(path).getroot()
    except ET.ParseError as error:
        line, _column = getattr(error, "position", (0, 0))
        raise BackupError(f"{name} is not valid XML (line {line})") from None
    except defusedxml.DefusedXmlException:
        raise BackupError(f"{name} uses XML entities or a DTD, which are refused for safety") from None
