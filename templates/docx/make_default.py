"""Build templates/docx/default.docx, the base template of every generated document.

Run from the project root:  .venv/bin/python templates/docx/make_default.py

A council changes its documents without code by opening default.docx in Word or LibreOffice,
changing the styles (Normal, Title, Heading 1 to 3, Protective Marking, TOC 1, Table Grid),
fonts, page set-up, header (logo, letterhead) and footer, and saving it as
templates/docx/<district-key>.docx. The body of the template is replaced by each document.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from engine.documents import build_default_template  # noqa: E402

if __name__ == "__main__":
    target = Path(__file__).resolve().parent / "default.docx"
    build_default_template(target)
    print(f"Wrote {target.relative_to(ROOT)} ({target.stat().st_size} bytes)")
