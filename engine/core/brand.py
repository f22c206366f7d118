"""The area's own brand and the local words of the pages the law requires (privacy notice,
accessibility statement, cookies, contact): the [brand] and [statements] tables of the area
file, checked when read. A council may use the Design System's patterns but not the GOV.UK
brand, so the header and footer carry these instead of the crown."""

from __future__ import annotations

import re
from datetime import date
from typing import Any


class BrandError(ValueError):
    """A [brand] or [statements] value cannot be used; the message names the field."""


# White text on the header bar must keep WCAG AA contrast for normal text.
LEAST_CONTRAST = 4.5
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
# The Design System's header black, used when the area names no colour.
DEFAULT_COLOUR = "#0b0c0c"

# The owner's name with no area loaded; an area file without [brand] shows the area's name.
DEFAULT_NAME = "Derbyshire Community Safety Partnerships"
DEFAULT_LICENCE = (
    "Run by the district and borough councils of Derbyshire on behalf of the community safety "
    "partnerships."
)

# Derbyshire's words, for an area file that leaves a statement's value out. The contact
# details are demonstration values, as the area file's are.
DEFAULT_STATEMENTS: dict[str, Any] = {
    "controller": "the district and borough councils of Derbyshire",
    "police": "Derbyshire Constabulary",
    "dpo_name": "Data Protection Officer",
    "dpo_email": "data.protection@derbyshire.example.gov.uk",
    "dpo_phone": "01629 580000",
    "dpo_address": "County Hall, Smedley Street, Matlock, DE4 3AG",
    "contact_name": "Derbyshire Community Safety Partnerships",
    "contact_email": "community.trigger@derbyshire.example.gov.uk",
    "contact_phone": "01629 580000",
    "contact_hours": "Monday to Friday, 9am to 5pm (except bank holidays)",
    "accessibility_prepared": "2026-12-01",
    "accessibility_reviewed": "2026-12-01",
    "accessibility_tested": "2026-11-30",
    "known_issues": [
        "Letters and reports you download as Word documents may not be fully accessible to "
        "screen reader software.",
        "The process diagram shown to staff is a picture: the same steps are listed in text "
        "beside it.",
    ],
}
_TEXT_STATEMENTS = tuple(key for key, value in DEFAULT_STATEMENTS.items() if isinstance(value, str))
_DATES = ("accessibility_prepared", "accessibility_reviewed", "accessibility_tested")


def relative_luminance(colour: str) -> float:
    """WCAG 2's relative luminance of a #rrggbb colour, from 0 (black) to 1 (white)."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        linear = value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4
        channels.append(linear)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    """The contrast ratio of white text on ``colour`` (1 to 21)."""
    return 1.05 / (relative_luminance(colour) + 0.05)


def _text(table: dict[str, Any], key: str, where: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise BrandError(f"{where} '{key}' must be some text")
    return value.strip()


def _link_target(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BrandError(f"{where} 'url' must be a web address or a path on this service")
    target = value.strip()
    if target.startswith(("https://", "http://")) and "." in target.split("/")[2]:
        return target
    if target.startswith("/") and not target.startswith("//"):
        return target
    raise BrandError(
        f"{where} 'url' '{target}' must start with https:// or http://, or be a path on this "
        "service starting with /"
    )


def parse_brand(raw: Any, area_name: str) -> dict[str, Any]:
    """The [brand] table: the service owner's name, an optional logo and header colour, the
    footer's own links and its licence or ownership line."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BrandError("[brand] must be a table")
    unknown = sorted(set(raw) - {"name", "logo", "colour", "licence", "footer_links"})
    if unknown:
        raise BrandError(f"[brand] has unknown setting(s) {', '.join(unknown)}")
    brand: dict[str, Any] = {
        "name": _text(raw, "name", "[brand]", area_name),
        "licence": _text(raw, "licence", "[brand]", DEFAULT_LICENCE),
        "logo": "",
        "colour": DEFAULT_COLOUR,
    }
    if "logo" in raw:
        logo = raw["logo"]
        if not isinstance(logo, str) or not logo.startswith("/") or logo.startswith("//"):
            raise BrandError(
                "[brand] 'logo' must be the path of an image this service serves, starting "
                "with / (such as /static/brand/logo.png)"
            )
        brand["logo"] = logo
    if "colour" in raw:
        colour = raw["colour"]
        if not isinstance(colour, str) or not _HEX.fullmatch(colour):
            raise BrandError("[brand] 'colour' must be a hex colour like #1d4f91")
        ratio = contrast_with_white(colour)
        if ratio < LEAST_CONTRAST:
            raise BrandError(
                f"[brand] 'colour' {colour} is too light for the header's white text: its "
                f"contrast is {ratio:.2f}:1 and must be at least {LEAST_CONTRAST}:1; choose a "
                "darker colour"
            )
        brand["colour"] = colour.lower()
    links = raw.get("footer_links", [])
    if not isinstance(links, list):
        raise BrandError("[brand] 'footer_links' must be a list of links, each a label and url")
    brand["footer_links"] = []
    for number, link in enumerate(links, start=1):
        where = f"[brand] footer link {number}"
        if not isinstance(link, dict):
            raise BrandError(f"{where} must be a table with 'label' and 'url'")
        brand["footer_links"].append(
            {
                "label": _text(link, "label", where, ""),
                "url": _link_target(link.get("url"), where),
            }
        )
    return brand


def parse_statements(raw: Any) -> dict[str, Any]:
    """The [statements] table: who holds the data, the data protection officer, who to
    contact, and the accessibility statement's dates and known issues."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BrandError("[statements] must be a table")
    unknown = sorted(set(raw) - set(DEFAULT_STATEMENTS))
    if unknown:
        raise BrandError(f"[statements] has unknown setting(s) {', '.join(unknown)}")
    statements: dict[str, Any] = {
        key: _text(raw, key, "[statements]", DEFAULT_STATEMENTS[key])
        for key in _TEXT_STATEMENTS
        if key not in _DATES
    }
    for key in ("dpo_email", "contact_email"):
        local, _, domain = statements[key].partition("@")
        if not local or "." not in domain or " " in statements[key]:
            raise BrandError(f"[statements] '{key}' must be an email address")
    for key in _DATES:
        value = raw.get(key, DEFAULT_STATEMENTS[key])
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            raise BrandError(f"[statements] '{key}' must be a date like 2026-12-01") from None
        statements[key] = day.isoformat()
    issues = raw.get("known_issues", DEFAULT_STATEMENTS["known_issues"])
    if not isinstance(issues, list) or not all(isinstance(i, str) and i.strip() for i in issues):
        raise BrandError("[statements] 'known_issues' must be a list of sentences ([] for none)")
    statements["known_issues"] = [issue.strip() for issue in issues]
    return statements


def page_brand(settings: dict[str, Any]) -> dict[str, Any]:
    """The brand for a page: an area loaded before [brand] existed, or none loaded, gets
    Derbyshire's."""
    return settings.get("brand") or parse_brand({}, DEFAULT_NAME)


def page_statements(settings: dict[str, Any]) -> dict[str, Any]:
    """The statements' local words, as for ``page_brand``."""
    return settings.get("statements") or parse_statements({})


def brand_stylesheet(brand: dict[str, Any]) -> str:
    """The header's colour as a stylesheet: the Content Security Policy allows no inline
    style, and the colour was checked for contrast when the area file was read."""
    colour = brand.get("colour", DEFAULT_COLOUR)
    if not _HEX.fullmatch(colour):
        colour = DEFAULT_COLOUR
    return f".govuk-generic-header.casereview-brand-header {{\n  background: {colour};\n}}\n"
