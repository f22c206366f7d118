"""The guide to changing the letters' wording (docs/letters.md) lists what the service has."""

from __future__ import annotations

from engine.documents import LETTER_KINDS
from engine.documents.letters.placeholders import COMMON, placeholders
from tests.support.files import ROOT


def test_the_guide_lists_every_placeholder_of_every_letter() -> None:
    guide = (ROOT / "docs" / "letters.md").read_text(encoding="utf-8")
    for kind in LETTER_KINDS:
        section = guide.split(f"(`{kind}`)", 1)[1].split("\n### ", 1)[0]
        for name in placeholders(kind):
            if name not in COMMON:
                assert f"| `{name}` |" in section, f"{kind}: {name} is not in docs/letters.md"
