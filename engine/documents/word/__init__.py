"""Word documents on a council's base template: the one package that imports python-docx.

- ``template``: which base template a document is written on, the house styles and fonts,
  and the default template itself.
- ``builder``: the ``Builder`` that writes one document onto a template and saves it.
- ``columns``: a table's column widths, so that no word breaks inside itself.
- ``fonts``: how wide text is in a document's font.
- ``text``: ``clean`` (text safe for a Word file) and ``long_date`` (how dates read).
"""

from engine.documents.word.builder import DOCX_MEDIA_TYPE, Builder
from engine.documents.word.template import (
    MARKING,
    TEMPLATES_DIR,
    build_default_template,
    template_path,
)
from engine.documents.word.text import clean, long_date

__all__ = [
    "DOCX_MEDIA_TYPE",
    "MARKING",
    "TEMPLATES_DIR",
    "Builder",
    "build_default_template",
    "clean",
    "long_date",
    "template_path",
]
