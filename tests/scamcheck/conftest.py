"""Say plainly, at the end of the run, when the OCR tests were skipped and why."""

from bot.scamcheck import ocr


def pytest_terminal_summary(terminalreporter):
    if not ocr.available():
        terminalreporter.write_line(
            "scamcheck: OCR tests SKIPPED: tesseract with Vietnamese data is not installed "
            "(apt-get install tesseract-ocr tesseract-ocr-vie)",
            yellow=True,
        )
