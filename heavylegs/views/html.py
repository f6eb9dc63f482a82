"""HTML fragments and styles of every page, with one escape function and one urgency vocabulary.

The workbook's banner and panels and the athlete dashboard's sections are
built here from plain data (rankings and the dashboard's content model), so
a red flag reads the same everywhere and every text from an athlete's files
passes through :func:`escape` before it reaches a page.
"""
from __future__ import annotations

import datetime as _dt
import html as _html
import re as _re

from heavylegs.knowledge.causes import rule_threshold
from heavylegs.vocabulary import ACWR_SAFE_BAND, FIELDS, KM_PER_MILE, SECTIONS, URGENCY_ORDER

__all__ = [
    "escape",
    "UNKNOWN",
    "BAND_COLOURS",
    "format_answer",
    "URGENCY",
    "URGENCY_ORDER",
    "urgency_label",
    "urgency_when",
    "urgency_banner",
    "date_text",
    "field_label",
    "CSS",
    "DISCLAIMER",
    "acwr_sentence",
    "BAND_WORDS",
    "in_unit",
    "pace_text",
    "refused_html",
    "red_flag_html",
    "cause_detail_html",
    "ask_next_html",
    "delta_html",
    "status_html",
    "plan_table_html",
    "load_summary_html",
    "latest_ratio",
    "ratio_sentence",
    "metric_words",
]

#: What the workbook shows for an unknown answer.
UNKNOWN = "unknown"
#: Colours of the ranking bands, on the figures and the panels alike (colour-blind safe).
BAND_COLOURS = {"likely": "#D55E00", "possible": "#E69F00", "unlikely": "#A0A0A0"}


def escape(text, quote: bool = True) -> str:
    """``text`` made safe inside HTML (and inside a quoted attribute when ``quote``)."""
    return _html.escape(str(text), quote=quote)


def format_answer(value) -> str:
    """The text a form box shows for a value ("" for unknown; numbers as stored, 14.0 stays 14.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(value)
    return str(value)


#: The one urgency vocabulary of every page: for each red-flag urgency, most urgent first, what
#: the athlete is to do (``label``) and how soon (``when``), in words a runner acts on.
URGENCY = {
    "emergency": {"label": "Get medical help now",
                  "when": "Today, at an emergency department or by calling emergency services."},
    "urgent": {"label": "See a doctor today",
               "when": "Do not wait until tomorrow or for the next training week."},
    "soon": {"label": "Book a doctor's appointment within days",
             "when": "Within the next few days, before hard training."},
}
# URGENCY_ORDER (most urgent first, the order flags are shown in) is heavylegs.vocabulary's.


def urgency_label(urgency: str) -> str:
    """What to do for an urgency ("See a doctor today"); the id itself when unknown."""
    return URGENCY.get(urgency, {}).get("label", urgency)


def urgency_when(urgency: str) -> str:
    """How soon, in one sentence, for an urgency ("" when unknown)."""
    return URGENCY.get(urgency, {}).get("when", "")


def urgency_banner(urgency: str) -> str:
    """The workbook's banner words: "URGENT: see a doctor today"."""
    label = urgency_label(urgency)
    return f"{urgency.upper()}: {label[:1].lower()}{label[1:]}" if urgency in URGENCY else urgency


#: Advice items shown at once per cause; the rest fold under "more" (a phone screen is short).
ADVICE_SHOWN = 3
#: Reasons shown at once per cause, strongest first.
BECAUSE_SHOWN = 4
BAND_WORDS = {"likely": "most likely", "possible": "possible", "unlikely": "less likely"}

DISCLAIMER = ("This page is coaching support, not a diagnosis. It ranks common reasons for heavy legs "
              "from your answers and your training log; only a doctor can examine you and rule out illness.")
def acwr_sentence() -> str:
    """The athlete's one sentence on the acute:chronic ratio, with the chart's band and line.

    The green band is :data:`heavylegs.vocabulary.ACWR_SAFE_BAND`; the red line
    is where the catalogue's overtraining rule on ``log_acwr`` begins
    (:func:`heavylegs.knowledge.causes.rule_threshold`), as on the chart.
    """
    low, high = ACWR_SAFE_BAND
    return ("The dark line compares your last 7 days of training load with your average week of the "
            f"last 4: inside the green band ({low:g} to {high:g}) training grew at a pace legs usually absorb, "
            f"and above the red dashed line ({rule_threshold('log_acwr'):g}) it rose faster than they usually "
            "adapt, a rough rule of thumb rather than a verdict.")

#: Days without a session after which the acute:chronic ratio is no longer shown: its acute
#: window (7 days) then holds nothing, and a ratio of 0.00 would only say that.
RATIO_STALE_DAYS = 7


def _float_or_none(value):
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if value != value else value


def latest_ratio(weekly, daily=None) -> dict | None:
    """The acute:chronic ratio to show now, or why there is none.

    Parameters
    ----------
    weekly : pandas.DataFrame or None
        :func:`heavylegs.engine.load.weekly_table` (``week_start``, ``acwr``,
        and ``days``, ``duration_min`` when present).
    daily : pandas.DataFrame, optional
        The daily series of the same log, indexed by day, with
        ``sessions`` or ``duration_min``: gives the exact last session day.

    Returns
    -------
    dict or None
        None without a table. Else ``value`` (the last week's ACWR, or None
        when the acute window holds no session or the log is too short for
        one), ``week`` (its ``week_start``), ``as_of`` (the table's last day),
        ``last_session`` (``YYYY-MM-DD`` or None) and ``days_without``
        (days from the last session to ``as_of``, or None).
    """
    if weekly is None or len(weekly) == 0 or "week_start" not in weekly.columns:
        return None
    week = str(weekly["week_start"].iloc[-1])[:10]
    last_days = int(weekly["days"].iloc[-1]) if "days" in weekly.columns else 7
    as_of = _dt.date.fromisoformat(week) + _dt.timedelta(days=max(last_days, 1) - 1)
    last_session = None
    if daily is not None and len(daily):
        column = "duration_min" if "duration_min" in daily.columns else "sessions"
        if column in daily.columns:
            days = [str(d)[:10] for d, v in zip(daily.index, daily[column].tolist()) if (_float_or_none(v) or 0) > 0]
            last_session = days[-1] if days else None
            as_of = _dt.date.fromisoformat(str(daily.index[-1])[:10])
    elif "duration_min" in weekly.columns:
        active = [str(w)[:10] for w, v in zip(weekly["week_start"], weekly["duration_min"].tolist())
                  if (_float_or_none(v) or 0) > 0]
        if active:  # the week only: its last day is the latest the session can have been
            last_session = min(as_of, _dt.date.fromisoformat(active[-1]) + _dt.timedelta(days=6)).isoformat()
    days_without = None if last_session is None else (as_of - _dt.date.fromisoformat(last_session)).days
    value = _float_or_none(weekly["acwr"].iloc[-1]) if "acwr" in weekly.columns else None
    if days_without is None or days_without >= RATIO_STALE_DAYS:
        value = None
    return {"value": value, "week": week, "as_of": as_of.isoformat(), "last_session": last_session,
            "days_without": days_without}


def ratio_sentence(ratio: dict | None, audience: str = "athlete") -> str:
    """The latest ratio in one sentence (HTML), or why there is none; "" without a table.

    Parameters
    ----------
    ratio : dict or None
        From :func:`latest_ratio`.
    audience : {"athlete", "coach"}
        "your latest ratio" for the athlete, "latest ACWR" for the coach.
    """
    if not ratio:
        return ""
    if ratio["value"] is not None:
        name = "Your latest ratio is" if audience == "athlete" else "Latest ACWR:"
        return f"{name} <strong>{ratio['value']:.2f}</strong> (week of {escape(date_text(ratio['week']))})."
    if ratio["last_session"] is None:
        return "No session in the log, so there is no ratio."
    if ratio["days_without"] is not None and ratio["days_without"] >= RATIO_STALE_DAYS:
        return (f"No session in the {ratio['days_without']} days up to {escape(date_text(ratio['as_of']))} "
                f"(the last on {escape(date_text(ratio['last_session']))}), so there is no current ratio.")
    return "The log is too short for a ratio yet: it needs sessions in the four weeks before."


def date_text(value) -> str | None:
    """``YYYY-MM-DD`` as "16 Nov 2026" (unambiguous in any country)."""
    if value is None:
        return None
    try:
        day = _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime('%b %Y')}"



# --- distances and paces in the athlete's unit ----------------------------------------------

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# "5:30 min/km", "5:30/km"
_PACE_RE = _re.compile(r"(?<![\w:.])(\d{1,2}):([0-5]\d)(\s*)(min\s*)?/\s*km\b")
# "12 km/h"
_SPEED_RE = _re.compile(rf"(?<![\w.,])({_NUM})(\s*)km/h\b")
# "68.0 km", "500-800 km", "10 to 12 km"; not "km/h", not "kmh"
_DIST_RE = _re.compile(rf"(?<![\w.,])({_NUM})(?:(\s*(?:-|–|to)\s*)({_NUM}))?(\s*)km\b(?!/)")
# unit names with no number before them: "[km]", "min/km"
_BARE_RE = _re.compile(r"\[km\]|\bmin/km\b")


def _converted(number: str, factor: float) -> str:
    """``number`` (as written, perhaps with thousands commas) times ``factor``, as precise as it was.

    The decimals of the source are kept, with at least one when the result
    is below 10, so "5 km" becomes "3.1 mi" rather than "3 mi".
    """
    plain = number.replace(",", "")
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    value = float(plain) * factor
    if value < 10:
        decimals = max(decimals, 1)
    return f"{value:,.{decimals}f}" if "," in number else f"{value:.{decimals}f}"


def pace_text(seconds_per_km, unit: str = "km") -> str:
    """A pace as minutes and seconds per kilometre or mile.

    Parameters
    ----------
    seconds_per_km : float or None
        Pace [s/km].
    unit : {"km", "mi"}
        The athlete's distance unit.

    Returns
    -------
    str
        "5:30 min/km" or "8:51 min/mi" (rounded to the second); "" for None.

    Examples
    --------
    >>> pace_text(330, "mi")
    '8:51 min/mi'
    """
    if seconds_per_km is None:
        return ""
    seconds = round(float(seconds_per_km) * (KM_PER_MILE if unit == "mi" else 1.0))
    return f"{seconds // 60}:{seconds % 60:02d} min/{'mi' if unit == 'mi' else 'km'}"


def in_unit(text, unit: str = "km") -> str:
    """A text written in kilometres, rewritten in the athlete's unit.

    Scoring, the log's evidence and the plan's notes are written in km (the
    files keep km); this rewrites, for display, every distance ("68.0 km",
    "500-800 km", "1,100 km"), pace ("5:30 min/km") and speed ("12 km/h")
    and the bare unit labels "[km]" and "min/km". Other text is untouched.

    Parameters
    ----------
    text : str
        The text (plain or HTML: only number-and-unit runs change).
    unit : {"km", "mi"}
        The athlete's distance unit; with "km" the text comes back as it is.

    Returns
    -------
    str

    Examples
    --------
    >>> in_unit("weekly distance rose to 68.0 km", "mi")
    'weekly distance rose to 42.3 mi'
    >>> in_unit("easy runs at 5:30 min/km, shoes at 500-800 km", "mi")
    'easy runs at 8:51 min/mi, shoes at 311-497 mi'
    """
    text = "" if text is None else str(text)
    if unit != "mi" or "km" not in text:
        return text
    per_mile = 1.0 / KM_PER_MILE
    text = _PACE_RE.sub(lambda m: pace_text(int(m.group(1)) * 60 + int(m.group(2)), "mi"), text)
    text = _SPEED_RE.sub(lambda m: f"{_converted(m.group(1), per_mile)}{m.group(2)}mph", text)

    def distance(m):
        out = _converted(m.group(1), per_mile)
        if m.group(3) is not None:
            out += m.group(2) + _converted(m.group(3), per_mile)
        return f"{out}{m.group(4)}mi"

    text = _DIST_RE.sub(distance, text)
    return _BARE_RE.sub(lambda m: "[mi]" if m.group(0) == "[km]" else "min/mi", text)


CSS = """
div.hl-dash{--hl-red:#a50e0e;--hl-red-bg:#fdecea;--hl-ink:#1f2328;--hl-mute:#57606a;--hl-line:#d0d7de;
  font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--hl-ink);
  font-size:16px;line-height:1.5;max-width:820px;margin:0 auto;padding:0 4px;box-sizing:border-box}
div.hl-dash *{box-sizing:border-box}
div.hl-dash h1{font-size:1.5rem;font-weight:700;line-height:1.25;margin:.4rem 0 .2rem}
div.hl-dash h2{font-size:1.2rem;font-weight:700;line-height:1.3;margin:1.4rem 0 .5rem}
div.hl-dash h3{font-size:1.05rem;font-weight:700;line-height:1.3;margin:0 0 .3rem}
div.hl-dash p{margin:.3rem 0}
div.hl-dash ul{margin:.2rem 0 .5rem;padding-left:1.2rem}
div.hl-dash li{margin:.15rem 0}
div.hl-dash .hl-meta{color:var(--hl-mute);font-size:.9rem;margin:0}
div.hl-dash .hl-date{white-space:nowrap}
div.hl-dash .hl-flags{background:var(--hl-red-bg);border:3px solid var(--hl-red);border-radius:10px;
  padding:12px 14px;margin:14px 0}
div.hl-dash .hl-flags>h2{color:var(--hl-red);font-size:1.35rem;margin:0 0 .4rem}
div.hl-dash .hl-flag-group{margin-top:.7rem}
div.hl-dash .hl-flag{border-top:1px solid #f1b5b0;padding:.45rem 0 .2rem;margin-top:.35rem}
div.hl-dash .hl-flag:first-of-type{border-top:0}
div.hl-dash .hl-more{list-style:none;margin-left:-1.2rem}
div.hl-dash summary{cursor:pointer;color:#0b5cad;font-weight:600;padding:.2rem 0}
div.hl-dash .hl-urgency{display:inline-block;background:var(--hl-red);color:#fff;font-weight:700;
  border-radius:6px;padding:2px 8px;font-size:.95rem;margin-bottom:.2rem}
div.hl-dash .hl-ok{background:#eef7f0;border-left:5px solid #2e7d32;border-radius:6px;padding:8px 12px;
  margin:14px 0}
div.hl-dash .hl-cause{border:1px solid var(--hl-line);border-radius:10px;padding:12px 14px;margin:10px 0;
  background:#fff}
div.hl-dash .hl-cause-head{display:flex;gap:10px;align-items:flex-start}
div.hl-dash .hl-rank{flex:0 0 auto;width:2rem;height:2rem;border-radius:50%;background:#1f2328;color:#fff;
  font-weight:700;display:flex;align-items:center;justify-content:center}
div.hl-dash .hl-band{display:inline-block;font-size:.8rem;font-weight:600;border-radius:999px;padding:1px 8px;
  margin-left:2px;vertical-align:middle}
div.hl-dash .hl-band-likely{background:#fbe3d4;color:#8a3300}
div.hl-dash .hl-band-possible{background:#fdf0d2;color:#6b4a00}
div.hl-dash .hl-band-unlikely{background:#eeeeee;color:#444}
div.hl-dash .hl-label{font-weight:700;margin:.5rem 0 0}
div.hl-dash .hl-doctor{font-size:.92rem;color:var(--hl-mute);margin-top:.4rem}
div.hl-dash .hl-chart-note{font-size:.95rem}
div.hl-dash .hl-disclaimer{border-top:1px solid var(--hl-line);color:var(--hl-mute);font-size:.9rem;
  margin-top:1.2rem;padding-top:.6rem}
div.hl-dash .hl-refused{border:2px solid var(--hl-line);border-radius:10px;padding:14px;margin:14px 0}
div.hl-dash .hl-plan-day{border-top:1px solid var(--hl-line);padding:.4rem 0 .2rem}
div.hl-dash .hl-plan-day h3{font-size:1rem;margin:0}
div.hl-dash .hl-plan-day p{font-size:.95rem}
div.hl-dash .hl-plan>.hl-flag{border:2px solid var(--hl-red);background:var(--hl-red-bg);border-radius:8px;
  padding:6px 10px}
div.hl-dash .hl-follow-up{background:#eef4fb;border-left:5px solid #0b5cad;border-radius:6px;padding:8px 12px;
  margin:14px 0}
div.hl-dash .hl-follow-up h2{margin-top:.2rem}
div.hl-dash .hl-for-doctor{border:2px solid var(--hl-line);border-radius:10px;padding:10px 14px;margin:14px 0}
div.hl-dash .hl-for-doctor>h2{margin-top:.2rem}
div.hl-dash button.hl-print{font:inherit;font-weight:600;color:#fff;background:#0b5cad;border:0;border-radius:8px;
  padding:8px 14px;cursor:pointer}
div.hl-dash .hl-doc-page{border:1px solid var(--hl-line);border-radius:8px;padding:8px 10px;margin-top:.4rem;
  font-size:.88rem;line-height:1.4;overflow-x:auto;background:#fff}
div.hl-dash .hl-doc-page h1{font-size:1.1rem;margin:.2rem 0}
div.hl-dash .hl-doc-page h2{font-size:1rem;margin:.7rem 0 .2rem}
div.hl-dash .hl-doc-page .meta{color:var(--hl-mute)}
div.hl-dash .hl-doc-page .flag{border:2px solid var(--hl-red);background:var(--hl-red-bg);border-radius:6px;
  padding:2px 8px;margin:4px 0}
div.hl-dash .hl-doc-page .flag strong{color:var(--hl-red)}
div.hl-dash .hl-doc-page table{border-collapse:collapse;width:100%;margin:4px 0}
div.hl-dash .hl-doc-page th,div.hl-dash .hl-doc-page td{border:1px solid var(--hl-line);padding:1px 4px;
  text-align:left;vertical-align:top}
div.hl-dash .hl-doc-page th{background:#f6f8fa}
div.hl-dash .hl-doc-page td.num,div.hl-dash .hl-doc-page th.num{text-align:right;white-space:nowrap}
div.hl-dash .hl-doc-page .small{font-size:.9em}
div.hl-dash .hl-doc-page .disclaimer{border-top:1px solid var(--hl-line);color:var(--hl-mute);font-size:.85em}
@page{size:A4;margin:10mm}
/* "Print the page for your doctor": only that page, at the size of heavylegs plan's doctor.html */
@media print{
html.hl-print-doctor body *:not(:has(#hl-doctor-page)):not(#hl-doctor-page):not(#hl-doctor-page *){
  display:none!important}
html.hl-print-doctor body,html.hl-print-doctor body *:has(#hl-doctor-page){margin:0!important;padding:0!important;
  border:0!important;background:none!important;box-shadow:none!important;max-width:none!important;
  min-height:0!important;height:auto!important;overflow:visible!important;position:static!important}
html.hl-print-doctor div.hl-dash .hl-doc-page{display:block!important;border:0;padding:0;margin:0;
  font-size:9pt;line-height:1.3;overflow:visible;max-width:186mm}
html.hl-print-doctor div.hl-dash .hl-doc-page h1{font-size:13pt;margin:0 0 2pt}
html.hl-print-doctor div.hl-dash .hl-doc-page h2{font-size:10.5pt;margin:6pt 0 2pt}
html.hl-print-doctor div.hl-dash .hl-doc-page p{margin:2pt 0}
html.hl-print-doctor div.hl-dash .hl-doc-page ul{margin:2pt 0 4pt;padding-left:14pt}
html.hl-print-doctor div.hl-dash .hl-doc-page li{margin:1pt 0}
html.hl-print-doctor div.hl-dash .hl-doc-page .flag ul,html.hl-print-doctor div.hl-dash .hl-doc-page .causes,
html.hl-print-doctor div.hl-dash .hl-doc-page .small{font-size:8.5pt}
html.hl-print-doctor div.hl-dash .hl-doc-page .disclaimer{font-size:8pt;margin-top:6pt;padding-top:3pt}
html.hl-print-doctor div.hl-dash .hl-doc-page tr{break-inside:avoid}
}
/* Voila draws the chart outside our block: give it the same width as the text */
div.jp-OutputArea-child:has(>div.jp-RenderedPlotly){max-width:820px;margin-left:auto;margin-right:auto}
div.jp-OutputArea-child>div.jp-RenderedPlotly.jp-OutputArea-output{min-width:0}
@media (min-width:700px){div.hl-dash{font-size:17px;padding:0 12px}div.hl-dash h1{font-size:1.8rem}}
"""


def refused_html(message: str) -> str:
    return (f'<style>{CSS}</style><div class="hl-dash"><section class="hl-refused" id="hl-refused">'
            f'<h1>This dashboard cannot be shown</h1><p>{escape(message)}</p></section></div>')


# --- the workbook's panels ---

def field_label(name: str) -> str:
    """A question's label with its unit, "Sleep [h]" (the name itself when unknown)."""
    spec = FIELDS.get(name)
    if spec is None:
        return name
    return spec.label + (f" [{spec.unit}]" if spec.unit else "")


def red_flag_html(ranking: dict) -> str:
    """The "see a doctor" banner of a ranking ("" when no red flag applies)."""
    flags = ranking.get("red_flags") or []
    if not flags:
        return ""
    items = "".join(
        f"<li><b>{escape(urgency_banner(f['urgency']))}</b> — {escape(f['title'])}. "
        f"{escape(f['reason'])} <i>{escape(f['action'])}</i></li>" for f in flags)
    return ("<div style='background:#B00020;color:white;padding:10px 14px;border-radius:6px;"
            "font-size:14px;line-height:1.4'><div style='font-size:17px;font-weight:bold'>"
            f"&#9888; See a doctor: {len(flags)} red flag{'s' if len(flags) > 1 else ''}</div>"
            f"<ul style='margin:6px 0 0 0;padding-left:20px'>{items}</ul>"
            "<div style='margin-top:6px'>These come before any cause below; the ranking does not "
            "replace a medical opinion.</div></div>")


def cause_detail_html(cause: dict | None, unit: str = "km") -> str:
    """Evidence, advice and coverage of one ranked cause, for the detail panel (distances in ``unit``)."""
    if cause is None:
        return "<i>Pick a cause to see why it ranks where it does.</i>"
    if unit != "km":
        cause = dict(cause, summary=in_unit(cause.get("summary", ""), unit),
                     evidence=[dict(e, because=in_unit(e["because"], unit)) for e in cause.get("evidence", [])],
                     advice=[in_unit(a, unit) for a in cause.get("advice", [])],
                     see_doctor_if=in_unit(cause.get("see_doctor_if") or "", unit))
    colour = BAND_COLOURS.get(cause["band"], "#777")
    n_missing = len(cause.get("missing", []))
    parts = [f"<div style='border-left:6px solid {colour};padding-left:10px'>",
             f"<b style='font-size:15px'>{escape(cause['title'])}</b> — score {cause['score']}, "
             f"<span style='color:{colour};font-weight:bold'>{escape(cause['band'])}</span>, "
             f"{cause['coverage']:.0%} of its questions answered",
             f"<div style='color:#444;margin:4px 0'>{escape(cause.get('summary', ''))}</div>"]
    if cause["evidence"]:
        rows = []
        for item in cause["evidence"]:
            sign = "+" if item["points"] > 0 else ""
            tag = " <span style='color:#0072B2'>(training log" + (
                f", week of {escape(item['week'])}" if item.get("week") else "") + ")</span>" \
                if item.get("from_log") or item.get("week") else ""
            rows.append(f"<li><b>{sign}{item['points']}</b> {escape(item['because'])}{tag}</li>")
        parts.append("<b>Why:</b><ul style='margin:2px 0'>" + "".join(rows) + "</ul>")
    else:
        parts.append("<div><b>Why:</b> nothing in the answers points to it yet.</div>")
    if cause.get("advice"):
        parts.append("<b>What to do:</b><ul style='margin:2px 0'>"
                     + "".join(f"<li>{escape(a)}</li>" for a in cause["advice"]) + "</ul>")
    if cause.get("see_doctor_if"):
        parts.append(f"<div><b>See a doctor if:</b> {escape(cause['see_doctor_if'])}</div>")
    if n_missing:
        shown = ", ".join(escape(field_label(m)) for m in cause["missing"][:8])
        more = f" and {n_missing - 8} more" if n_missing > 8 else ""
        parts.append(f"<div style='color:#666'><b>Unknown so far:</b> {shown}{more}</div>")
    parts.append("</div>")
    return "".join(parts)


def ask_next_html(ranking: dict, limit: int = 8) -> str:
    """The "answer these next" list: unknown questions that could move the ranking most."""
    names = (ranking.get("ask_next") or [])[:limit]
    if not names:
        return "<b>Answer these next:</b> nothing left that would change the top causes."
    sections = dict(SECTIONS)
    items = "".join(
        f"<li><b>{escape(field_label(n))}</b> <span style='color:#666'>({escape(sections.get(FIELDS[n].section, ''))})"
        f" — {escape(FIELDS[n].help)}</span></li>" for n in names if n in FIELDS)
    return f"<b>Answer these next</b> (they could move the top causes most):<ol style='margin:2px 0'>{items}</ol>"


def delta_html(delta: list, changes: dict) -> str:
    """The what-if summary: the answers changed and the causes that moved."""
    if not changes:
        return "<i>No what-if change yet: pick a question, type a value and press Try.</i>"
    tried = ", ".join(f"{escape(field_label(k))} = {escape(format_answer(v) or UNKNOWN)}" for k, v in changes.items())
    if not delta:
        return f"<b>What-if:</b> {tried}.<br>No cause changed its score."
    rows = "".join(
        f"<tr><td>{escape(d['title'])}</td><td style='text-align:right'>{d['score_before']}</td>"
        f"<td style='text-align:right'>{d['score_after']}</td>"
        f"<td style='text-align:right;color:{'#007A4D' if d['change'] < 0 else '#B00020'}'>"
        f"<b>{d['change']:+d}</b></td><td>{escape(d['band_before'])} &rarr; {escape(d['band_after'])}</td></tr>"
        for d in delta)
    return (f"<b>What-if:</b> {tried}. The saved answers are untouched.<table style='margin-top:4px;"
            "border-spacing:10px 0'><tr><th style='text-align:left'>cause</th><th>saved</th><th>what-if</th>"
            f"<th>change</th><th style='text-align:left'>band</th></tr>{rows}</table>")


def status_html(text: str, error: bool = False) -> str:
    """One status line of the workbook, green when done, red for a problem."""
    colour = "#B00020" if error else "#1B5E20"
    return f"<div style='color:{colour};margin:4px 0'>{escape(text)}</div>"


# --- Check-ins: patterns in words, and the follow-up of a plan ------------------------------

__all__ += ["patterns_html", "follow_up_html"]


def _one_decimal(value) -> str:
    return "-" if value is None else f"{value:.1f}"


def _not_seen_words(pattern: dict) -> str:
    """A pattern that was not reported, in plain words with its figures (no statistics jargon)."""
    exposed = pattern.get("exposed") or pattern["id"].replace("_", " ")
    counts = f"{pattern['n_exposed']} and {pattern['n_other']} check-ins"
    if pattern["p"] is None or min(pattern["n_exposed"], pattern["n_other"]) < 4:
        return f"{exposed[0].upper()}{exposed[1:]}: too few such days to compare ({counts})."
    return (f"{exposed[0].upper()}{exposed[1:]}: {_one_decimal(pattern['mean_exposed'])}, against "
            f"{_one_decimal(pattern['mean_other'])} on other days ({counts}), not a clear pattern.")


def patterns_html(patterns, detail: bool = True) -> str:
    """What comes before the heavy days, in words (``spec/checkins.md``).

    Parameters
    ----------
    patterns : list of dict or None
        From :func:`heavylegs.analysis.patterns.find_patterns` (reported first); None
        or empty: no check-ins yet.
    detail : bool
        True for the coach (each pattern "not seen" with its figures and the
        reason, statistics included); False for the athlete's dashboard
        (the figures in plain words, no p-values).

    Returns
    -------
    str
        ``<section class="hl-patterns">``: the reported patterns as a list,
        then the ones not seen folded under a ``<details>``; a line saying
        how many more check-ins are needed when the window holds too few.
        Every text passes through :func:`escape`.
    """
    head = '<section class="hl-patterns" id="hl-patterns"><h2>What comes before the heavy days</h2>'
    if not patterns:
        return (head + "<p>No check-ins yet. A daily note of how heavy the legs felt (0-10) lets "
                "heavylegs find what comes before the heavy days.</p></section>")
    n_window = patterns[0].get("window_checkins")
    needed = patterns[0].get("checkins_needed", 0)
    reported = [p for p in patterns if p["reported"]]
    others = [p for p in patterns if not p["reported"]]
    parts = [head]
    if needed:
        parts.append(f'<p class="hl-patterns-needed">{escape(n_window)} check-ins so far; '
                     f'{escape(needed)} more {"check-in is" if needed == 1 else "check-ins are"} needed '
                     "before a pattern can be reported.</p>")
    if reported:
        items = "".join(f"<li>{escape(p['because'])}</li>" for p in reported)
        parts.append(f'<p class="hl-label">Seen in the check-ins</p><ul class="hl-patterns-seen">{items}</ul>')
    elif not needed:
        parts.append("<p>No clear pattern: the heavy days do not follow any of the tested kinds of day "
                     "more than the others.</p>")
    if others:
        texts = [p["because"] if detail else _not_seen_words(p) for p in others]
        items = "".join(f"<li>{escape(t)}</li>" for t in texts)
        parts.append(f'<details class="hl-patterns-not-seen"><summary>Not seen ({len(others)})</summary>'
                     f"<ul>{items}</ul></details>")
    parts.append("</section>")
    return "".join(parts)


def follow_up_html(follow: dict | None) -> str:
    """Heaviness before a plan began against the days since, in words.

    Parameters
    ----------
    follow : dict or None
        From :func:`heavylegs.logs.checkins.follow_up`; None: no plan has started.

    Returns
    -------
    str
        ``<section class="hl-follow-up">`` with the comparison (or how many
        more check-ins are needed), every text escaped; "" for None.
    """
    if follow is None:
        return ""
    start = date_text(follow["plan_start"]) or follow["plan_start"]
    if follow["ready"]:
        change = follow["change"]
        verdict = ("lighter" if change <= -0.5 else "heavier" if change >= 0.5 else "about the same")
        lead = f"Since the plan began on {start}, the legs feel {verdict}."
    else:
        lead = f"The plan began on {start}; it is too early to tell whether it helps."
    return (f'<section class="hl-follow-up" id="hl-follow-up"><h2>Is the plan working?</h2>'
            f"<p>{escape(lead)}</p><p><strong>{escape(follow['text'])}</strong></p></section>")


def plan_table_html(rows, columns, labels: dict | None = None) -> str:
    """The plan as a compact read-only table for the workbook (rows of :func:`heavylegs.analysis.plan.plan_rows`).

    ``labels`` (:func:`heavylegs.analysis.plan.plan_column_labels`) gives each
    column's header with its unit; without it the column names are shown.
    """
    labels = labels or {}
    head = "".join(f"<th style='text-align:left;padding:2px 6px'>{escape(labels.get(c, c.replace('_', ' ')))}</th>"
                   for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td style='padding:2px 6px;border-top:1px solid #eee;vertical-align:top'>"
                         f"{escape('' if row.get(c) is None else row.get(c))}</td>" for c in columns) + "</tr>"
        for row in rows)
    # on a narrow screen the table scrolls sideways in its own box rather than being cut
    return (f"<div style='overflow-x:auto;max-width:100%'><table style='border-collapse:collapse;font-size:12px;"
            f"margin:4px 0;min-width:760px'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


_PROVENANCE = {"entered": "entered", "from_log": "from the log", "estimated": "estimated"}
_THRESHOLD_NAMES = {"hr_max": "maximum heart rate", "hr_rest": "resting heart rate",
                    "lthr": "threshold heart rate", "threshold_pace": "threshold pace"}
_METRIC_WORDS = {"srpe": "session RPE × minutes", "trimp": "TRIMP (heart rate)", "hrss": "HRSS (heart rate)",
                 "rtss": "rTSS (pace)", "stress": "stress (heart rate, else pace)", "duration": "minutes",
                 "distance": "kilometres"}


def metric_words(metric: str | None) -> str:
    """A load metric's name for a page ("session RPE × minutes"), never its id; "" for None."""
    return "" if metric is None else _METRIC_WORDS.get(metric, str(metric))


def load_summary_html(summary: dict | None) -> str:
    """What the load on the chart is, for the coach (:func:`heavylegs.engine.device_load.load_summary`).

    Says the metric in use and why, each threshold with its value and where
    it came from, how many sessions were estimated and how, and, when the log
    holds a higher heart rate than the maximum in use, a suggestion to enter
    the real one. "" without a log.
    """
    if not summary:
        return ""
    metric = summary.get("metric")
    asked = summary.get("requested")
    choice = "chosen automatically" if asked == "auto" else "chosen by you"
    parts = [f"<b>Load:</b> {escape(_METRIC_WORDS.get(metric, metric))} ({choice}: {escape(summary.get('why', ''))})."]
    rows = []
    for key, item in (summary.get("thresholds") or {}).items():
        if not isinstance(item, dict) or item.get("value") is None:
            continue
        value = item["value"]
        if key == "threshold_pace":
            minutes = int(value)
            shown = f"{minutes}:{int(round((value - minutes) * 60)):02d} min/km"
        else:
            shown = f"{value:.0f} {item.get('unit', '')}"
        rows.append(f"<li>{escape(_THRESHOLD_NAMES.get(key, key))}: <b>{escape(shown)}</b>, "
                    f"{escape(_PROVENANCE.get(item.get('provenance'), item.get('provenance', '')))}"
                    f" <span style='color:#666'>({escape(item.get('how', ''))})</span></li>")
    if rows:
        parts.append("<ul style='margin:2px 0'>" + "".join(rows) + "</ul>")
    # only the estimates that touch the metric in use: an RPE guessed for a heart-rate metric changes nothing
    relevant = ({"hr_calibrated", "session_type", "assumed"} if metric == "srpe" else
                {"hr_from_average"} if metric in ("trimp", "hrss", "stress") else set())
    estimated = {k: v for k, v in (summary.get("estimated") or {}).items() if v and k in relevant}
    words = {"hr_calibrated": "RPE from heart rate, calibrated on the athlete's own sessions",
             "session_type": "RPE assumed from the session type", "hr_from_average": "heart-rate load from the "
             "average heart rate (no histogram)", "assumed": "RPE assumed"}
    if estimated:
        parts.append(f"{sum(estimated.values())} of {summary.get('sessions', 0)} sessions estimated: "
                     + "; ".join(f"{n} {escape(words.get(k, k))}" for k, n in estimated.items()) + ".")
    if summary.get("missing"):
        parts.append(f"{summary['missing']} session(s) have no value in this metric and count 0.")
    if summary.get("hr_max_note"):
        parts.append(f"<span style='color:#8a3300'><b>&#9888; {escape(summary['hr_max_note'])}</b></span>")
    return "<div class='hl-load-summary' style='font-size:12px;line-height:1.4'>" + " ".join(parts) + "</div>"


__all__ += ["wellness_sentences", "wellness_html", "wellness_import_html"]


def _beats(n: float) -> str:
    n = int(round(abs(n)))
    return f"{n} beat" if n == 1 else f"{n} beats"


def wellness_sentences(summary: dict | None) -> list:
    """What the watch or ring says, in plain words for the athlete.

    Parameters
    ----------
    summary : dict or None
        :func:`heavylegs.engine.wellness.wellness_facts` (the assessment's
        ``wellness``).

    Returns
    -------
    list of str
        One sentence per measure that has enough days, e.g. "Your resting
        heart rate has been 6 beats above your usual for a week (Garmin: 57
        against 51 bpm)."; empty without a summary. Plain text (escape it
        before putting it in HTML).
    """
    if not summary:
        return []
    out = []
    rhr = summary.get("rhr")
    if rhr and rhr.get("recent") is not None and rhr.get("baseline") is not None:
        vendor = rhr["vendor"]
        rise = rhr["recent"] - rhr["baseline"]
        figures = f"({vendor}: {rhr['recent']:.0f} against {rhr['baseline']:.0f} bpm)"
        if rise >= 2.5:
            out.append(f"Your resting heart rate has been {_beats(rise)} above your usual for a week {figures}.")
        elif rise <= -2.5:
            out.append(f"Your resting heart rate has been {_beats(rise)} below your usual for a week {figures}.")
        else:
            out.append(f"Your resting heart rate this week is close to your usual {figures}.")
    hrv = summary.get("hrv")
    if hrv and hrv.get("below_normal") is not None:
        vendor = hrv["vendor"]
        low, high = hrv["band_ms"]
        figures = f"({vendor}: {hrv['recent_ms']:.0f} ms, your normal range {low:.0f}-{high:.0f} ms)"
        if hrv["below_normal"]:
            out.append("Your heart-rate variability this week is below your normal range, a sign your body is "
                       f"still absorbing recent training {figures}.")
        elif hrv["recent"] > hrv["baseline"] + hrv["sd"]:
            out.append(f"Your heart-rate variability this week is above your normal range {figures}.")
        else:
            out.append(f"Your heart-rate variability this week is within your normal range {figures}.")
    sleep = summary.get("sleep")
    if sleep and sleep.get("n", 0) >= 7 and sleep.get("mean_h") is not None:
        vendor = sleep["vendor"]
        hours, minutes = divmod(int(round(sleep["mean_h"] * 60)), 60)
        advice = " Most runners need 7 to 9 hours." if sleep["mean_h"] < 7 else ""
        out.append(f"You slept {hours} h {minutes:02d} min a night on average over the last two weeks "
                   f"({vendor}, {sleep['n']} nights).{advice}")
    return out


def wellness_html(summary: dict | None, problems=()) -> str:
    """The wearable's baselines for the coach: each measure's source, days and numbers.

    Parameters
    ----------
    summary : dict or None
        :func:`heavylegs.engine.wellness.wellness_facts`.
    problems : sequence of Problem
        Why ``wellness.csv`` was left out, when it could not be read.

    Returns
    -------
    str
        ``<section class="hl-wellness">``; every text escaped.
    """
    parts = ['<section class="hl-wellness"><h4 style="margin:6px 0 2px 0">From the watch or ring</h4>']
    if problems:
        parts.append('<p style="color:#a00">wellness.csv was left out: '
                     + escape("; ".join(str(p) for p in list(problems)[:3])) + "</p>")
    if not summary:
        parts.append("<p>No wellness data up to the assessment day. Import a Garmin, Apple Health, Fitbit, Oura "
                     "or WHOOP export beside the training log.</p></section>")
        return "".join(parts)
    items = [summary[k]["text"] for k in ("rhr", "hrv", "sleep") if summary.get(k) and summary[k].get("text")]
    parts.append("<ul>" + "".join(f"<li>{escape(t)}</li>" for t in items) + "</ul>")
    parts.append(f'<p style="color:#555">Baselines per source and HRV kind up to {escape(summary["until"])}: '
                 "the last 7 days (4 values needed) against the 60 days before (21 needed); Apple's SDNN and the "
                 "others' rMSSD are never mixed.</p></section>")
    return "".join(parts)


def wellness_import_html(outcome: dict, athlete_id: str) -> str:
    """What a wellness import did: each file's days, dates, columns and dropped values, and the file written."""
    lines = "".join(f"<br>{escape(line)}" for line in outcome.get("lines", []))
    return (f"Wellness: {outcome['days']} day(s) imported into {escape(athlete_id)}'s wellness.csv "
            f"({outcome['rows']} rows now).{lines}")


# --- The workbook: a red flag beside its question, the restored draft -------------------------

__all__ += ["red_flag_note_html", "draft_note_html"]


def red_flag_note_html(flags: list) -> str:
    """The warning shown under a question whose answer raises red flags ("" for none).

    Parameters
    ----------
    flags : list of dict
        The ranking's ``red_flags`` entries this answer raises.

    Returns
    -------
    str
        A red box, one line per flag: its urgency words, its title and what
        to do (the banner at the top says the same).
    """
    if not flags:
        return ""
    lines = "".join(f"<div><b>&#9888; {escape(urgency_banner(f['urgency']))}</b>: {escape(f['title'])}. "
                    f"<i>{escape(f['action'])}</i></div>" for f in flags)
    return ("<div class='hl-flag-note' style='background:#B00020;color:white;padding:4px 6px;border-radius:4px;"
            f"margin-top:3px;font-size:12px;line-height:1.3'>{lines}</div>")


def draft_note_html(restored: dict, today=None) -> str:
    """The note over the workbook when unsaved answers were restored.

    Parameters
    ----------
    restored : dict
        ``updated`` (ISO date and time of the last unsaved change) and
        ``newer_save`` (file name of an assessment saved after the draft
        began, or None), as :attr:`heavylegs.app.workbook.WorkbookModel.draft_restored`.
    today : datetime.date, optional
        Today (the time alone is shown for a draft of today).

    Returns
    -------
    str
        "Unsaved answers from 10:42, restored: Save or Discard." (with the
        date when the draft is older than today).
    """
    when = _dt.datetime.fromisoformat(restored["updated"])
    today = today or _dt.date.today()
    stamp = when.strftime("%H:%M") if when.date() == today else f"{when:%d %b %Y} {when:%H:%M}"
    text = f"Unsaved answers from {stamp}, restored: Save or Discard."
    if restored.get("newer_save"):
        text += (f" An assessment was saved after these answers began ({restored['newer_save']}); "
                 "Save keeps these as the newest.")
    return ("<div class='hl-draft-note' style='background:#FFF4E5;border-left:5px solid #E65100;"
            f"padding:6px 10px;margin:4px 0'>&#9998; {escape(text)}</div>")
