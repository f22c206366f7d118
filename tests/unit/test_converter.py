"""The converter keeps one LibreOffice warm: started at the first conversion, started again
when it has died, stopped when a conversion runs over its time limit, and saying why when it
cannot run at all."""

from __future__ import annotations

import io
import os
import signal
import sys
from pathlib import Path

import docx
import pytest

from engine.documents import PDF, ConversionUnavailable, converter_for
from engine.documents.convert import ConverterSettings
from tests.support.documents import converter_installed, is_tagged_pdf_a, pdf_lines


def word(text: str) -> bytes:
    document = docx.Document()
    document.add_heading("A heading", level=1)
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_libreoffice_that_died_is_started_again() -> None:
    converter_installed()
    converter = converter_for(ConverterSettings())
    assert "First" in pdf_lines(converter.convert(word("First"), PDF))
    first = converter.pid
    assert first is not None
    os.killpg(first, signal.SIGKILL)
    second = converter.convert(word("Second"), PDF)
    assert "Second" in pdf_lines(second) and is_tagged_pdf_a(second)
    assert converter.pid not in (None, first) and gone(first)


def test_a_conversion_over_its_time_limit_is_stopped_and_said() -> None:
    converter_installed()
    converter = converter_for(ConverterSettings(seconds=0.001))
    with pytest.raises(ConversionUnavailable, match="took longer than 0.001 seconds"):
        converter.convert(word("Too slow"), PDF)
    assert converter.pid is None


def test_without_uno_or_libreoffice_the_reason_is_said_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    converter_installed()
    # This interpreter is the project's, which has no uno module.
    no_uno = converter_for(ConverterSettings(python=sys.executable))
    with pytest.raises(ConversionUnavailable, match="^LibreOffice could not be started$"):
        no_uno.convert(word("Never"), PDF)
    assert no_uno.unavailable() == "LibreOffice could not be started", "not tried at once again"
    [logged] = [r.getMessage() for r in caplog.records if r.name.endswith("libreoffice")]
    assert logged.startswith("documents: LibreOffice could not be started (")
    assert "has no uno module (Debian: apt-get install" in logged

    # The server's paths are for its log, not for the people asking.
    missing = str(Path("/nonexistent/soffice"))
    nothing = converter_for(ConverterSettings(program=missing))
    assert nothing.unavailable() == "LibreOffice is not installed on the server"
    with pytest.raises(ConversionUnavailable, match="^LibreOffice is not installed on the server$"):
        nothing.convert(word("Never"), PDF)
    assert f"not installed at '{missing}'" in caplog.records[-1].getMessage()
