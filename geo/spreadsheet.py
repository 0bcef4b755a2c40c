"""Text for a CSV cell that a spreadsheet shows as text.

Excel, LibreOffice and Google Sheets run a cell that starts like a formula ("=", "+",
"-", "@", or a tab or carriage return before one). Article text, names and ids from a
corpus are other people's writing, so every CSV geo writes quotes such a cell with a
leading apostrophe, which the spreadsheet shows as text and does not display.
"""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: object) -> str:
    """``value`` as a cell's text (a list or tuple joined with "; "), quoted if it would
    start a formula; a number ("-61.8") stays a number."""
    text = "; ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
    if not text.startswith(FORMULA_START) or _is_number(text):
        return text
    return f"'{text}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text
