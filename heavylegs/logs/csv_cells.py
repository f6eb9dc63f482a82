"""CSV cells that a spreadsheet opens as text: the one formula guard of every CSV heavylegs writes.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula by Excel, LibreOffice or Google Sheets (OWASP,
"CSV Injection"): a name ``=cmd|' /C calc'!A0`` in an export would run a
command on the coach's machine. Every CSV writer of heavylegs (the training
log, the check-ins, ``heavylegs squad --csv``) passes its text cells through
:func:`safe_cell`, which puts one ``'`` in front of such a cell (spreadsheets
show it as text and hide the ``'``); the readers of the training log and the
check-ins remove it again with :func:`unquote_cell`, so every value reads back
exactly as it was written. :func:`csv_line` joins cells into one line.
"""
from __future__ import annotations

import re

from heavylegs.errors import ascii_number

__all__ = ["safe_cell", "unquote_cell", "csv_line"]

_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def safe_cell(text: str) -> str:
    """A text cell as written: a leading ``'`` when it could run as a formula.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return (after any ``'``) gets one more ``'`` in front; :func:`unquote_cell`
    removes it on reading. A plain number such as ``-5`` is left alone: no
    spreadsheet runs it.

    Examples
    --------
    >>> safe_cell("=cmd|' /C calc'!A0"), safe_cell("-5 min warm-up"), safe_cell("-5")
    ("'=cmd|' /C calc'!A0", "'-5 min warm-up", '-5')
    """
    if _NEEDS_QUOTE.match(text) and not (text == text.strip() and ascii_number(text) is not None):
        return "'" + text
    return text


def unquote_cell(text: str) -> str:
    """The inverse of :func:`safe_cell`, applied to text cells read from a CSV file.

    Examples
    --------
    >>> unquote_cell("'=1+1"), unquote_cell("''=1"), unquote_cell("'quoted")
    ('=1+1', "'=1", "'quoted")
    """
    return text[1:] if _QUOTED.match(text) else text


def csv_line(cells) -> str:
    """One CSV line (``\\n`` end): a cell holding a comma, a quote, CR or LF is quoted.

    Not :func:`csv.writer`: with ``\\n`` line ends it leaves a lone ``\\r``
    unquoted, which every reader then takes for a line break.

    Examples
    --------
    >>> csv_line(["a", "b,c", "5"])
    'a,"b,c",5\\n'
    """
    out = []
    for cell in cells:
        if any(char in cell for char in ',"\r\n'):
            cell = '"' + cell.replace('"', '""') + '"'
        out.append(cell)
    return ",".join(out) + "\n"
