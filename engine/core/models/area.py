"""The area the service covers: its settings, its organisations and their districts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.core.models.base import Base

ORGANISATION_KINDS = ("council", "police", "housing", "health", "opcc", "other")


class Area(Base):
    """The county this deployment serves, with its settings (timescales, threshold count)."""

    __tablename__ = "areas"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    loaded_at: Mapped[datetime]


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('council','police','housing','health','opcc','other')", name="kind"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    # How its staff sign in: None for the service's passwords alone, else the methods and its
    # OpenID Connect provider, as the area file gives them (``engine.core.area_sign_in``).
    sign_in: Mapped[dict[str, Any] | None]
    districts: Mapped[list[District]] = relationship(
        secondary="organisation_districts",
        back_populates="organisations",
        order_by="District.position",
    )


class District(Base):
    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)
    lead_council_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    spoc_name: Mapped[str] = mapped_column(String(200), default="")
    spoc_email: Mapped[str] = mapped_column(String(200), default="")
    spoc_phone: Mapped[str] = mapped_column(String(50), default="")
    lead_council: Mapped[Organisation | None] = relationship(foreign_keys=[lead_council_id])
    organisations: Mapped[list[Organisation]] = relationship(
        secondary="organisation_districts", back_populates="districts"
    )


class DistrictYearNote(Base):
    """What a district's council says about its published figures for one financial year
    (the year it starts in), shown under them."""

    __tablename__ = "district_year_notes"
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime]


class OrganisationDistrict(Base):
    __tablename__ = "organisation_districts"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    district_id: Mapped[int] = mapped_column(
        ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
