"""The declarative base every table is declared on, and what the tables share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

from engine.core.db import UTCDateTime

# Row ids are 32-bit integers (PostgreSQL's integer); a larger number names nothing.
MAX_ROW_ID = 2**31 - 1


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


# Tables a library creates and owns in the application database, outside these models and the
# migrations: APScheduler's job store. Migrations leave them alone.
APSCHEDULER_JOBS_TABLE = "apscheduler_jobs"
UNMANAGED_TABLES = frozenset({APSCHEDULER_JOBS_TABLE})
