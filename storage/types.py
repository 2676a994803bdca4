"""Column types shared by the models: tz-aware UTC datetimes on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from sqlalchemy import JSON, BigInteger, DateTime, Integer, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns tz-aware UTC (SQLite keeps no zone, PostgreSQL uses timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: oss-scout stores tz-aware UTC only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# A source's numeric id (GitHub ids pass 2**31; Discord snowflakes need 64 bits).
SourceId = BigInteger().with_variant(Integer(), "sqlite")

source_pk = Annotated[int, mapped_column(SourceId, primary_key=True, autoincrement=False)]
serial_pk = Annotated[int, mapped_column(SourceId, primary_key=True, autoincrement=True)]
utc = Annotated[datetime, mapped_column(UTCDateTime())]
utc_opt = Annotated[datetime | None, mapped_column(UTCDateTime(), nullable=True)]
text = Annotated[str, mapped_column(Text, default="")]
text_opt = Annotated[str | None, mapped_column(Text, nullable=True)]
json_list = Annotated[list[Any], mapped_column(JSON, default=list)]
json_dict = Annotated[dict[str, Any], mapped_column(JSON, default=dict)]
