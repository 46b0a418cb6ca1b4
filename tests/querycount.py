"""Count the SQL statements a block of code sends, for the tests that hold pages and
writes to a fixed number whatever the size of the site."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from hub.extensions import db


@contextmanager
def counted() -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_for_get(client, path: str) -> int:
    """Statements of a second visit (the first creates lazily made rows, read markers)."""
    client.get(path)
    with counted() as statements:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers.get("X-Page-Cache") != "hit", f"{path} came from the page cache: count as a member"
    return len(statements)
