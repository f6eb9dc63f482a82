"""Athlete profiles: read, validate and write ``heavylegs.profile/1``.

A profile is a flat mapping of the field names of :mod:`heavylegs.vocabulary`
(see ``spec/profile.md``). A missing key or ``null`` means *unknown*, which is
never treated as "no" or 0: validated profiles simply omit unknown fields.

Profiles come as JSON files (one athlete) or as a roster CSV (one athlete a
row, list values written ``a;b;c``). Every problem of a file is reported
together, each naming the file (and line, for CSV), the field, the value found
and what was expected.
"""
from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import math
import re
from pathlib import Path

from heavylegs.errors import InputError, Problem, ascii_number, check_date_range, find_lone_surrogate, read_input_file
from heavylegs.vocabulary import PROFILE_FIELDS, PROFILE_FORMAT
from heavylegs.logs.csv_cells import csv_line, safe_cell, unquote_cell
from heavylegs.files import atomic_write_text

__all__ = [
    "validate_profile",
    "read_profile",
    "write_profile",
    "profile_to_json",
    "read_roster",
    "write_roster",
    "roster_to_csv",
]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}\Z")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z", re.ASCII)
#: Largest profile JSON file read [bytes]. A profile with every field
#: answered is about 3 kB; 1 MiB leaves room for any ``x_`` notes.
MAX_PROFILE_BYTES = 2**20
#: Largest roster CSV read [bytes]: a row is under 2 kB, so 16 MiB holds
#: thousands of athletes.
MAX_ROSTER_BYTES = 16 * 2**20
#: Deepest nesting of lists and objects accepted in an ``x_`` extension value.
#: Extensions hold a note, a number or a small record; 32 levels is far more
#: than any of them needs, and far below Python's recursion limit (1000),
#: which a JSON document nested 1,000 deep would otherwise hit.
MAX_EXTENSION_DEPTH = 32
_SURROGATE_TEXT = "holds a lone surrogate character (a broken \\ud800-style escape), expected plain text"
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def _show(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (list, dict)) and _depth_over(value, 3):
        return f"a nested {'list' if isinstance(value, list) else 'object'}"
    try:
        text = json.dumps(value, ensure_ascii=False) if not isinstance(value, float) else repr(value)
    except ValueError:  # NaN inside a list
        text = repr(value)
    # A lone surrogate is shown as its escape, so the message itself can be printed.
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 60 else text[:57] + "..."


def _depth_over(value, limit: int) -> bool:
    """True when lists and objects nest more than ``limit`` deep in ``value`` (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


def _check_extension(key: str, value, source, line, problems) -> bool:
    """Check an ``x_`` value: JSON-safe, finite numbers, plain text, not too deep."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_EXTENSION_DEPTH:
            problems.append(Problem(source, f"found lists or objects nested more than "
                                            f"{MAX_EXTENSION_DEPTH} deep, expected a simple value",
                                    field=key, line=line))
            return False
        if isinstance(item, float) and not math.isfinite(item):
            problems.append(Problem(source, f"found {_show(item)}, expected a finite number "
                                            "(JSON has no NaN or Infinity)", field=key, line=line))
            return False
        if isinstance(item, str) and find_lone_surrogate(item) is not None:
            problems.append(Problem(source, f"text {_SURROGATE_TEXT}", field=key, line=line))
            return False
        if isinstance(item, dict):
            for child_key, child in item.items():
                if not isinstance(child_key, str) or find_lone_surrogate(child_key) is not None:
                    problems.append(Problem(source, f"found the key {_show(child_key)}, expected "
                                                    "plain text keys", field=key, line=line))
                    return False
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif not (item is None or isinstance(item, (bool, int, float, str))):
            problems.append(Problem(source, f"found a {type(item).__name__}, expected a JSON value",
                                    field=key, line=line))
            return False
    return True


def _check_one(spec, value, source, line, problems):
    """Validate one known value; return the cleaned value or None after adding a problem."""
    def bad(expected=None):
        problems.append(Problem(source, f"found {_show(value)}, expected {expected or spec.expected()}",
                                field=spec.name, line=line))
        return None

    kind = spec.kind
    if kind in ("int", "number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return bad()
        if isinstance(value, float) and not math.isfinite(value):
            return bad()
        if kind == "int":
            if isinstance(value, float):
                if not value.is_integer():
                    return bad()
                value = int(value)
        if not spec.minimum <= value <= spec.maximum:
            return bad()
        return value
    if kind == "bool":
        return value if isinstance(value, bool) else bad()
    if kind == "enum":
        return value if isinstance(value, str) and value in spec.values else bad()
    if kind == "list":
        if not isinstance(value, list):
            return bad()
        wrong = [v for v in value if not isinstance(v, str) or v not in spec.values]
        if wrong:
            return bad()
        return list(dict.fromkeys(value))
    if kind == "date":
        if not isinstance(value, str) or not _DATE_RE.match(value):
            return bad()
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return bad("a real calendar date YYYY-MM-DD")
        if check_date_range(_dt.date.fromisoformat(value)):
            return bad("a date from 1900-01-01 to 2100-12-31")
        return value
    # strings
    if not isinstance(value, str):
        return bad()
    if find_lone_surrogate(value) is not None:
        problems.append(Problem(source, f"the text {_SURROGATE_TEXT}", field=spec.name, line=line))
        return None
    if spec.name == "athlete_id":
        return value if _ID_RE.match(value) else bad()
    if not 1 <= len(value) <= 100 or not value.strip():
        return bad()
    return value


def _check_diuretics(clean, source, line, problems):
    """``diuretics`` and ``diuretic`` in ``medications`` are one answer (spec/profile.md, Additions 2)."""
    if "diuretics" not in clean or "medications" not in clean:
        return
    listed = "diuretic" in clean["medications"]
    if clean["diuretics"] != listed:
        said = "true" if clean["diuretics"] else "false"
        problems.append(Problem(
            source, f"found diuretics {said} but medications {'lists' if listed else 'does not list'} "
                    f"diuretic, expected the two answers to agree", field="medications", line=line))


def validate_profile(raw, source: str = "<profile>", line: int | None = None,
                     today: _dt.date | None = None) -> dict:
    """Validate a profile mapping.

    Parameters
    ----------
    raw : dict
        Field names to values; ``None`` means unknown.
    source : str
        File name used in problems.
    line : int, optional
        Line number used in problems (roster CSV).
    today : datetime.date, optional
        Default for ``assessed_on`` when it is unknown (today by default).

    Returns
    -------
    dict
        The known fields in vocabulary order (unknown ones omitted), then any
        ``x_`` extension keys unchanged. ``assessed_on`` is always present.

    Raises
    ------
    InputError
        With every problem of the mapping.
    """
    problems = []
    if not isinstance(raw, dict):
        raise InputError([Problem(source, f"found {type(raw).__name__}, expected a JSON object "
                                          "with athlete fields", line=line)])
    clean, extras = {}, {}
    for key, value in raw.items():
        if not isinstance(key, str):
            problems.append(Problem(source, f"found key {key!r}, expected a field name", line=line))
            continue
        if find_lone_surrogate(key) is not None:
            problems.append(Problem(source, f"found the key {_show(key)}, which {_SURROGATE_TEXT}",
                                    line=line))
            continue
        if key.startswith("x_"):
            if _check_extension(key, value, source, line, problems):
                extras[key] = value
            continue
        if key == "format":
            if value is not None and value != PROFILE_FORMAT:
                problems.append(Problem(source, f"found {_show(value)}, expected {PROFILE_FORMAT!r}",
                                        field="format", line=line))
            continue
        spec = PROFILE_FIELDS.get(key)
        if spec is None:
            problems.append(Problem(source, "unknown field; check the spelling (fields starting "
                                            "with x_ are kept and ignored)", field=key, line=line))
            continue
        if value is None:
            continue
        checked = _check_one(spec, value, source, line, problems)
        if checked is not None:
            clean[key] = checked
    _check_diuretics(clean, source, line, problems)
    if "athlete_id" not in raw or raw.get("athlete_id") is None:
        problems.append(Problem(source, "missing, expected an id such as \"ana\" (required)",
                                field="athlete_id", line=line))
    if problems:
        raise InputError(problems)
    clean.setdefault("assessed_on", (today or _dt.date.today()).isoformat())
    ordered = {k: clean[k] for k in PROFILE_FIELDS if k in clean}
    ordered.update(sorted(extras.items()))
    return ordered


def _unique_keys(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {key!r} appears twice")
        out[key] = value
    return out


def read_profile(path, today: _dt.date | None = None) -> dict:
    """Read and validate one profile JSON file.

    Parameters
    ----------
    path : str or Path
        A JSON file holding one object.

    Returns
    -------
    dict
        The validated profile (see :func:`validate_profile`).

    Raises
    ------
    InputError
        When the file is missing, not UTF-8, not JSON (with the line), or
        breaks the format; all problems of the file at once.
    """
    path = Path(path)
    source = str(path)
    try:
        data = read_input_file(path, MAX_PROFILE_BYTES, "a profile JSON file")
    except OSError as exc:
        raise InputError([Problem(source, f"cannot read the file ({exc.strerror or exc})")]) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(source, f"byte {exc.start} is not UTF-8, expected a UTF-8 JSON file")]) from None
    if not text.strip():
        raise InputError([Problem(source, "the file is empty, expected a JSON object")])
    try:
        # NaN and Infinity are parsed so that validation can name the field that holds them.
        raw = json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, f"invalid JSON: {exc.msg}", line=exc.lineno,
                                  column=exc.colno)]) from None
    except RecursionError:
        raise InputError([Problem(source, "invalid JSON: lists or objects nested too deep to read, "
                                          "expected a flat object of athlete fields")]) from None
    except ValueError as exc:
        raise InputError([Problem(source, f"invalid JSON: {exc}")]) from None
    return validate_profile(raw, source, today=today)


def profile_to_json(profile: dict) -> str:
    """The JSON text of a validated profile, with ``format`` first."""
    doc = {"format": PROFILE_FORMAT}
    doc.update({k: v for k, v in profile.items() if k != "format"})
    # allow_nan=False: never the NaN or Infinity tokens, which are not JSON.
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_profile(profile: dict, path) -> Path:
    """Validate ``profile`` and write it atomically as JSON.

    Returns
    -------
    Path
        The file written.
    """
    clean = validate_profile(profile, str(path))
    return atomic_write_text(path, profile_to_json(clean))


def _parse_cell(spec, text):
    """Turn one CSV cell into a JSON-like value; unparseable text stays text so validation reports it."""
    if spec.kind == "int" or spec.kind == "number":
        num = ascii_number(text)  # not float(): it reads "٣", "nan" and "1_000" too
        if num is None:
            return text
        if spec.kind == "int" and num.is_integer():
            return int(num)
        return num
    if spec.kind == "bool":
        low = text.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        return text
    if spec.kind == "list":
        if text.lower() == "none":
            return []
        return [part.strip() for part in text.split(";") if part.strip()]
    return text


def read_roster(path, today: _dt.date | None = None) -> list:
    """Read a roster CSV: one athlete a row, the profile field names as columns.

    Empty cells are unknown. Booleans are ``true``/``false`` (``yes``/``no``
    and ``1``/``0`` are accepted); lists are ``a;b;c`` and ``none`` for an
    empty list.

    Returns
    -------
    list of dict
        Validated profiles in file order.

    Raises
    ------
    InputError
        With every problem of every row (``file:line: field: ...``); the
        whole file is rejected when any row is bad.
    """
    path = Path(path)
    source = str(path)
    try:
        text = read_input_file(path, MAX_ROSTER_BYTES, "a roster CSV file").decode("utf-8-sig")
    except OSError as exc:
        raise InputError([Problem(source, f"cannot read the file ({exc.strerror or exc})")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(source, f"byte {exc.start} is not UTF-8, expected a UTF-8 CSV file")]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _roster_rows(reader, source, today)
    except csv.Error as exc:  # e.g. a cell past the csv module's limit (131,072 characters)
        raise InputError([Problem(source, f"is not valid CSV ({exc}), expected comma-separated values "
                                          "with balanced quotes and cells of a profile's size",
                                  line=reader.line_num)]) from None


def _roster_rows(reader, source: str, today) -> list:
    try:
        header = next(reader)
    except StopIteration:
        raise InputError([Problem(source, "the file is empty, expected a header row of field names")]) from None
    problems, profiles, seen = [], [], {}
    for col, name in enumerate(header, start=1):
        if name in seen:
            problems.append(Problem(source, f"column {name!r} appears twice", line=1, column=col))
        seen[name] = col
        if name not in PROFILE_FIELDS and not name.startswith("x_") and name != "format":
            problems.append(Problem(source, "unknown column; expected a profile field name",
                                    field=name, line=1, column=col))
    if "athlete_id" not in header:
        problems.append(Problem(source, "missing column, expected athlete_id", field="athlete_id", line=1))
    if problems:
        raise InputError(problems)
    ids = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(source, f"found {len(row)} cells, expected {len(header)}", line=line))
            continue
        raw = {}
        for name, cell in zip(header, row):
            cell = unquote_cell(cell.strip())  # the formula guard roster_to_csv writes
            if name.startswith("x_"):
                raw[name] = cell
            elif cell == "":
                raw[name] = None
            elif name == "format":
                raw[name] = cell
            else:
                raw[name] = _parse_cell(PROFILE_FIELDS[name], cell)
        try:
            profile = validate_profile(raw, source, line=line, today=today)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if profile["athlete_id"] in ids:
            problems.append(Problem(source, f"found {profile['athlete_id']!r} again (first on line "
                                            f"{ids[profile['athlete_id']]}), expected unique ids",
                                    field="athlete_id", line=line))
            continue
        ids[profile["athlete_id"]] = line
        profiles.append(profile)
    if problems:
        raise InputError(problems)
    return profiles


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value) if value else "none"
    return str(value)


def roster_to_csv(profiles) -> str:
    """CSV text of a roster: every profile field as a column, in vocabulary order.

    Text that a spreadsheet would run as a formula (a name ``=cmd|...``) is
    written with a leading ``'`` (:func:`heavylegs.logs.csv_cells.safe_cell`),
    which :func:`read_roster` removes again.
    """
    extras = sorted({k for p in profiles for k in p if k.startswith("x_")})
    columns = list(PROFILE_FIELDS) + extras
    out = io.StringIO()
    out.write(csv_line(columns))
    for profile in profiles:
        out.write(csv_line([safe_cell(_cell(profile.get(c))) for c in columns]))
    return out.getvalue()


def write_roster(profiles, path) -> Path:
    """Validate every profile and write the roster CSV atomically."""
    clean = [validate_profile(p, str(path)) for p in profiles]
    return atomic_write_text(path, roster_to_csv(clean))
