"""Front matter of content files: ``---`` YAML, read with the line of every field so
each problem names its file and line. No Flask import."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Iterable

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")

class ContentError(ValueError):
    """A problem in a content file: ``path:line: problem``. ``errors`` lists every
    problem found (one for a single error)."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path, self.line, self.problem = str(path), line, problem
        self.errors: list[ContentError] = [self]
        super().__init__(self.where() + ": " + problem)

    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path

    @staticmethod
    def collect(errors: Iterable["ContentError"]) -> "ContentError":
        errors = list(errors)
        return errors[0] if len(errors) == 1 else ContentProblems(errors)


class ContentProblems(ContentError):
    """Several problems at once; ``str()`` lists them one per line."""

    def __init__(self, errors: list[ContentError]):
        first = errors[0]
        ValueError.__init__(self, f"{len(errors)} problems:\n" + "\n".join(f"  {e}" for e in errors))
        self.path, self.line, self.problem = first.path, first.line, first.problem
        self.errors = list(errors)


@dataclass
class FrontMatter:
    meta: dict
    lines: dict[str, int]  # dotted field path -> line in the file
    body: str
    body_line: int  # file line of the body's first line

    def line(self, key: str) -> int:
        while key and key not in self.lines:
            key = key.rpartition(".")[0]
        return self.lines.get(key, 1)


class Problems:
    def __init__(self, root: Path):
        self.root = root
        self.errors: list[ContentError] = []

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add(self, path: Path, line: int | None, problem: str) -> None:
        self.errors.append(ContentError(self.display(path), line, problem))


# -- front matter -------------------------------------------------------------

def _node_lines(node, prefix: str, lines: dict[str, int], duplicates: list[tuple[str, int]]) -> None:
    if isinstance(node, yaml.SequenceNode):
        _sequence_lines(node, prefix, lines, duplicates)
    if not isinstance(node, yaml.MappingNode):
        return
    seen: set[str] = set()
    for key_node, value_node in node.value:
        key = str(key_node.value)
        path = f"{prefix}{key}"
        line = key_node.start_mark.line + 2  # the front matter starts on the file's line 2
        if key in seen:
            duplicates.append((path, line))
        seen.add(key)
        lines[path] = line
        _node_lines(value_node, path + ".", lines, duplicates)


def _sequence_lines(node, prefix: str, lines: dict[str, int], duplicates: list[tuple[str, int]]) -> None:
    for index, item in enumerate(node.value):
        lines[f"{prefix}{index}"] = item.start_mark.line + 2
        _node_lines(item, f"{prefix}{index}.", lines, duplicates)


def read_front_matter(path: Path, problems: Problems) -> FrontMatter | None:
    """Split ``---`` YAML front matter from the Markdown body; None (with a problem
    recorded) when the file cannot be read as such."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(path, None, f"the file is not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "missing front matter: the file must start with a line '---'")
        return None
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        problems.add(path, 1, "front matter is not closed: add a line '---' after the last field")
        return None
    source = "\n".join(lines[1:end])
    loader = yaml.SafeLoader(source)
    try:
        node = loader.get_single_node()
        meta = loader.construct_document(node) if node is not None else {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(error, "problem", None) or str(error)
        problems.add(path, line, f"front matter is not valid YAML: {problem}")
        return None
    finally:
        loader.dispose()
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        problems.add(path, 2, "front matter must be a list of 'field: value' lines")
        return None
    key_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []
    _node_lines(node, "", key_lines, duplicates)
    for key, line in duplicates:
        problems.add(path, line, f"field '{key}' appears twice")
    body = "\n".join(lines[end + 1:])
    if text.endswith("\n"):
        body += "\n"
    stripped = body.lstrip("\n")
    skipped = len(body) - len(stripped)
    return FrontMatter(meta=meta, lines=key_lines, body=stripped, body_line=end + 2 + skipped)


# -- field checks ----------------------------------------------------------------

class Fields:
    """Typed access to one mapping of front matter, recording problems by line."""

    def __init__(self, fm: FrontMatter, path: Path, problems: Problems, mapping: dict, prefix: str = ""):
        self.fm, self.path, self.problems, self.mapping, self.prefix = fm, path, problems, mapping, prefix

    def fail(self, key: str, problem: str) -> None:
        self.problems.add(self.path, self.fm.line(self.prefix + key), problem)

    def unknown(self, allowed: Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else f" (allowed: {', '.join(allowed)})"
                self.fail(str(key), f"unknown field '{self.prefix}{key}'{hint}")

    def text(self, key: str, required: bool = False, default: str = "", max_length: int = 200) -> str:
        value = self.mapping.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.add(self.path, self.fm.line(self.prefix + key) if key in self.mapping else 1,
                                  f"missing required field '{self.prefix}{key}'")
            return default
        if isinstance(value, (dict, list)):
            self.fail(key, f"'{self.prefix}{key}' must be text")
            return default
        value = str(value).strip()
        if len(value) > max_length:
            self.fail(key, f"'{self.prefix}{key}' is longer than {max_length} characters")
        return value

    def slug(self, key: str = "slug", required: bool = True) -> str:
        value = self.text(key, required=required, max_length=80)
        if value and not SLUG.match(value):
            self.fail(key, f"'{self.prefix}{key}' must use only lower-case letters, digits and single hyphens "
                           f"(got '{value}')")
        return value

    def integer(self, key: str, default: int | None, minimum: int = 0, maximum: int | None = None) -> int | None:
        value = self.mapping.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"'{self.prefix}{key}' must be a whole number")
            return default
        if value < minimum or (maximum is not None and value > maximum):
            upper = f" and at most {maximum}" if maximum is not None else ""
            self.fail(key, f"'{self.prefix}{key}' must be at least {minimum}{upper}")
            return default
        return value

    def number(self, key: str, default: float) -> float:
        value = self.mapping.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            self.fail(key, f"'{self.prefix}{key}' must be a positive number")
            return default
        return float(value)

    def boolean(self, key: str, default: bool) -> bool:
        value = self.mapping.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"'{self.prefix}{key}' must be true or false")
            return default
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.mapping.get(key)
        if value is None:
            return default
        if value not in choices:
            self.fail(key, f"'{self.prefix}{key}' must be one of {', '.join(choices)} (got '{value}')")
            return default
        return value

    def day(self, key: str) -> date | None:
        value = self.mapping.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(key, f"'{self.prefix}{key}' must be a date like 2025-09-01")
            return None

    def slug_list(self, key: str) -> list[str]:
        value = self.mapping.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) and SLUG.match(v) for v in value):
            self.fail(key, f"'{self.prefix}{key}' must be a list of slugs, like [first-course]")
            return []
        return list(value)

    def mapping_of(self, key: str) -> dict:
        value = self.mapping.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, f"'{self.prefix}{key}' must be a group of 'field: value' lines")
            return {}
        return value
