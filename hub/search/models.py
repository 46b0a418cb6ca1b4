"""The search outbox: one row per change search must see, written in the same
transaction as the change, so a committed save always reaches the index."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import Model


class SearchOutbox(Model):
    __tablename__ = "search_outbox"
    # Ids only grow (SQLite AUTOINCREMENT never reuses a pruned id): the index keeps
    # the highest id it has applied as its mark.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(60))  # "<kind>:<id>"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<SearchOutbox {self.id} {self.entity}>"
