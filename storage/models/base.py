"""One declarative base and one MetaData for every table (constraint names fixed for Alembic)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from storage.types import SourceId

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every plain `int` column is 64-bit: GitHub ids pass 2**31 and Discord snowflakes need 64 bits.
    type_annotation_map = {int: SourceId}  # noqa: RUF012
