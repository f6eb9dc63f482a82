"""The plan's files and the one-page summary for the doctor.

* :func:`plan_json`: ``plan.json`` (``spec/cli.md``), distances in km;
* :func:`plan_ics`: ``plan.ics``, one all-day event a day (RFC 5545, written
  with the ``icalendar`` library so phone calendars import it);
* :func:`plan_html`: ``plan.html``, a page that prints on one or two A4 pages;
* :func:`plan_section_html`: the plan in plain words for the athlete's
  dashboard, phone-sized;
* :func:`doctor_summary_html`: one printable A4 page an athlete can hand to
  a physician, when a red flag stands or a top cause says "see a doctor"
  (:func:`doctor_summary_needed`).

Every text from an athlete's files passes through
:func:`heavylegs.views.html.escape`. Distances are written in the athlete's
unit (``distance_unit``); the files keep km.
"""
from __future__ import annotations

import datetime as _dt
import json
import math

from icalendar import Calendar, Event

from heavylegs.analysis.plan import (day_texts, distance_text, distance_unit, load_plan_knowledge, load_source,
                                     load_unit, plan_causes_doctor)
from heavylegs.knowledge.causes import load_causes, load_red_flags
from heavylegs.views.html import (DISCLAIMER, date_text, escape, field_label, format_answer, in_unit, metric_words,
                                  urgency_label)
from heavylegs.vocabulary import FIELDS, PROFILE_FIELDS

__all__ = [
    "plan_json",
    "plan_ics",
    "plan_html",
    "plan_section_html",
    "doctor_summary_needed",
    "doctor_summary_html",
    "lab_thresholds",
    "profile_changes",
    "plan_files",
    "PRODID",
]

#: PRODID of every calendar heavylegs writes.
PRODID = "-//heavylegs//two-week plan//EN"

_LAB_FIELDS = ("hemoglobin_g_dl", "ferritin_ug_l", "transferrin_saturation_pct", "crp_mg_l",
               "vitamin_d_ng_ml", "vitamin_b12_pg_ml", "sodium_mmol_l")

_PRINT_CSS = """
@page{size:A4;margin:10mm}
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2328;
  font-size:9pt;line-height:1.3;margin:0 auto;max-width:186mm}
h1{font-size:13pt;margin:0 0 2pt}h2{font-size:10.5pt;margin:6pt 0 2pt}
p{margin:2pt 0}ul{margin:2pt 0 4pt;padding-left:14pt}li{margin:1pt 0}
.meta{color:#57606a}
.flag{border:2px solid #a50e0e;background:#fdecea;padding:2pt 6pt;margin:3pt 0;border-radius:4pt}
.flag ul{padding-left:10pt;font-size:8.5pt}
.causes{font-size:8.5pt}
.flag strong{color:#a50e0e}
table{border-collapse:collapse;width:100%;margin:3pt 0}
th,td{border:1px solid #d0d7de;padding:1pt 4pt;text-align:left;vertical-align:top}
th{background:#f6f8fa}
td.day{white-space:nowrap}
td.num,th.num{text-align:right;white-space:nowrap}
tr{break-inside:avoid}
.small{font-size:8.5pt}
.disclaimer{border-top:1px solid #d0d7de;color:#57606a;font-size:8pt;margin-top:6pt;padding-top:3pt}
@media screen{body{padding:12px}}
"""


# --------------------------------------------------------------------------- plan.json

def plan_json(plan: dict) -> str:
    """``plan.json``: the plan document as JSON text (distances in km, as ``spec/cli.md`` says)."""
    return json.dumps(plan, indent=1, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- plan.ics

def plan_ics(plan: dict, *, name: str | None = None, unit: str = "km", now: _dt.datetime | None = None) -> str:
    """``plan.ics``: one all-day event a day of the plan (RFC 5545).

    Parameters
    ----------
    plan : dict
        A ``heavylegs.plan/1`` document.
    name : str, optional
        The athlete's name, for the calendar's name.
    unit : {"km", "mi"}
        Distances in the events' text.
    now : datetime, optional
        DTSTAMP of the events (now, in UTC, by default).

    Returns
    -------
    str
        The calendar, CRLF line endings; each event has UID
        ``<athlete>-<date>@heavylegs.analysis.plan``, so importing a new plan for the
        same days replaces the old events in most calendars.
    """
    stamp = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    who = name or plan.get("athlete_id") or "athlete"
    cal.add("x-wr-calname", f"Two-week plan: {who}")
    for day in plan["days"]:
        words = day_texts(day, unit, plan.get("load_metric"))
        date = _dt.date.fromisoformat(day["date"])
        event = Event()
        event.add("uid", f"{plan.get('athlete_id') or 'athlete'}-{day['date']}@heavylegs.analysis.plan")
        event.add("dtstamp", stamp)
        event.add("dtstart", date)
        event.add("dtend", date + _dt.timedelta(days=1))
        event.add("summary", words["training"])
        lines = [words[key] for key in ("fuel", "fluid", "recovery") if words[key]]
        lines += list(day.get("notes") or [])
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")


# --------------------------------------------------------------------------- plan.html

def _every_day_notes(plan):
    days = plan["days"]
    if not days:
        return []
    common = [n for n in (days[0].get("notes") or []) if all(n in (d.get("notes") or []) for d in days)]
    return common


def _week_targets_html(plan, unit):
    rows = []
    metric = plan.get("load_metric")
    for i, week in enumerate(plan.get("weeks") or []):
        if week.get("target_low") is None:
            continue
        if metric == "distance":
            text = (f"{distance_text(week['target_low'], unit, 0)} to {distance_text(week['target_high'], unit, 0)}")
            planned = distance_text(week.get("planned_load"), unit, 0) if week.get("planned_load") is not None else "–"
        else:
            text = (f"{week['target_low']:.0f} to {week['target_high']:.0f} {load_unit(metric)} "
                    f"({escape(metric_words(metric))})")
            planned = (f"{week['planned_load']:.0f} {load_unit(metric)}" if week.get("planned_load") is not None
                       else "–")
        rows.append(f"<li>Week {i + 1}: total load {text}; planned {planned}.</li>")
    return "<ul>" + "".join(rows) + "</ul>" if rows else ""


def plan_html(plan: dict, *, name: str | None = None, unit: str = "km", printed: _dt.date | None = None) -> str:
    """``plan.html``: the plan as a page that prints on one or two A4 pages.

    Parameters
    ----------
    plan : dict
        A ``heavylegs.plan/1`` document.
    name : str, optional
        The athlete's name.
    unit : {"km", "mi"}
        Distances in this unit.
    printed : date, optional
        The date printed on the page (today by default).

    Returns
    -------
    str
        A complete HTML document.
    """
    printed = printed or _dt.date.today()
    who = escape(name or plan.get("athlete_id") or "")
    first, last = plan["days"][0]["date"], plan["days"][-1]["date"]
    parts = [f"<h1>Two-week plan: {who}</h1>",
             f'<p class="meta">{escape(date_text(first))} to {escape(date_text(last))}'
             + (f"; from the assessment of {escape(date_text(plan['assessed_on']))}" if plan.get("assessed_on") else "")
             + f"; printed {escape(date_text(printed.isoformat()))}. A proposal for the coach to adjust.</p>"]
    for text in plan.get("headline") or []:
        parts.append(f'<p class="flag"><strong>See a doctor:</strong> {escape(text)}</p>')
    if plan.get("why"):
        parts.append("<h2>Where the numbers come from</h2><ul>"
                     + "".join(f"<li>{escape(w)}</li>" for w in plan["why"]) + "</ul>")
    parts.append(_week_targets_html(plan, unit))
    common = _every_day_notes(plan)
    if common:
        parts.append("<p><strong>Every day:</strong> " + " ".join(escape(n) for n in common) + "</p>")
    rows = []
    for day in plan["days"]:
        words = day_texts(day, unit, plan.get("load_metric"))
        notes = [n for n in (day.get("notes") or []) if n not in common]
        when = _dt.date.fromisoformat(day["date"])
        rows.append(f"<tr><td class=\"day\">{escape(when.strftime('%a'))} {when.day} {escape(when.strftime('%b'))}</td>"
                    f"<td>{escape(words['training'])}</td><td>{escape(words['fuel'])}</td>"
                    f"<td class=\"small\">{escape(words['fluid'])}</td><td>{escape(words['recovery'])}</td>"
                    f"<td class=\"small\">{escape(' '.join(notes))}</td></tr>")
    parts.append("<table><thead><tr><th>Day</th><th>Training</th><th>Fuel</th><th>Fluid</th><th>Recovery</th>"
                 "<th>Notes</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    causes = plan.get("causes") or []
    if causes:
        parts.append("<h2>Why these steps</h2><ul>")
        for cause in causes:
            parts.append(f"<li><strong>{escape(cause['title'])}</strong> ({escape(cause.get('band') or '')}). "
                         f"Sources: {escape('; '.join(cause.get('sources') or []))}.</li>")
        parts.append("</ul>")
    if not plan.get("withheld_for"):
        parts.append('<p class="small">Carbohydrate: ACSM, Academy of Nutrition and Dietetics and Dietitians of '
                     "Canada 2016, and the IOC consensus on sports nutrition. Fluid: ACSM 2007 and NATA 2017. "
                     "Load: Foster et al. 2001 (session RPE), Hulin et al. 2014 (acute:chronic ratio), Frandsen "
                     "et al. 2025 (single-run spikes).</p>")
    parts.append(f'<p class="disclaimer">{escape(DISCLAIMER)}</p>')
    return _page(f"Two-week plan: {who}", "".join(parts))


def _page(title: str, body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{title}</title><style>{_PRINT_CSS}</style></head><body>{body}</body></html>\n")


def plan_section_html(plan: dict, unit: str = "km") -> str:
    """The plan in plain words for the athlete's dashboard, one short block a day (phone-sized).

    Returns
    -------
    str
        A ``<section class="hl-plan">`` fragment for a page styled by
        :data:`heavylegs.views.html.CSS`.
    """
    parts = ['<section class="hl-plan" id="hl-plan"><h2>Your next two weeks</h2>']
    for text in plan.get("headline") or []:
        parts.append(f'<p class="hl-flag"><strong>See a doctor:</strong> {escape(text)}</p>')
    common = _every_day_notes(plan)
    if common:
        parts.append("<p><strong>Every day:</strong> " + " ".join(escape(n) for n in common) + "</p>")
    for day in plan["days"]:
        words = day_texts(day, unit, plan.get("load_metric"))
        when = _dt.date.fromisoformat(day["date"])
        lines = [words["training"] + "."]
        lines += [words[key] + ("" if words[key].endswith(".") else ".") for key in ("fuel", "fluid", "recovery")
                  if words[key]]
        lines += [n for n in (day.get("notes") or []) if n not in common]
        parts.append(f'<div class="hl-plan-day"><h3>{escape(when.strftime("%A"))} '
                     f'<span class="hl-date">{escape(date_text(day["date"]))}</span></h3><p>'
                     + " ".join(escape(x) for x in lines) + "</p></div>")
    parts.append("</section>")
    return "".join(parts)


# --------------------------------------------------------------------------- the doctor's page

def doctor_summary_needed(ranking: dict) -> bool:
    """True when a red flag stands or a top-three cause (likely or possible) sends the athlete to a doctor."""
    return bool(ranking.get("red_flags")) or bool(plan_causes_doctor(ranking, load_plan_knowledge()))


def lab_thresholds() -> dict:
    """The thresholds the catalogue applies to each lab value, from the loaded rules and red flags.

    Returns
    -------
    dict
        Lab field to a list of ``"< 35"``-style texts with the cause or flag
        that uses them, e.g. ``{"ferritin_ug_l": ["< 35 (Iron deficiency)"]}``.
    """
    found = {name: [] for name in _LAB_FIELDS}

    def add(cond, title):
        if cond.field in found and cond.op in ("<", "<=", ">", ">="):
            text = f"{cond.op} {cond.value:g} ({title})"
            if text not in found[cond.field]:
                found[cond.field].append(text)

    for cause in load_causes():
        for rule in cause.rules:
            for cond in rule.conditions:
                add(cond, cause.title)
    for flag in load_red_flags():
        for alternative in flag.when:
            for cond in alternative:
                add(cond, "red flag: " + flag.title)
    return found


def profile_changes(previous: dict | None, latest: dict) -> list:
    """Answers that differ between two profiles, in the order of the vocabulary.

    Returns
    -------
    list of tuple
        ``(field, before, now)``; ``before`` or ``now`` None when unknown.
    """
    if not previous:
        return []
    skip = {"athlete_id", "assessed_on", "format"}
    out = []
    for name in PROFILE_FIELDS:
        if name in skip:
            continue
        before, now = previous.get(name), latest.get(name)
        if before != now:
            out.append((name, before, now))
    return out


def _lab_evidence(ranking: dict) -> dict:
    """For each lab field, the sentences of the ranking that quote it (flags first, then evidence)."""
    out = {}
    for cause in ranking.get("causes", []):
        for item in cause.get("evidence", []):
            if item.get("field") in _LAB_FIELDS and item.get("because"):
                texts = out.setdefault(item["field"], [])
                if item["because"] not in texts and len(texts) < 3:
                    texts.append(item["because"])
    return out


def _flag_answers(flag_id: str, profile: dict) -> list:
    texts = []
    for flag in load_red_flags():
        if flag.id != flag_id:
            continue
        for alternative in flag.when:
            for cond in alternative:
                if profile.get(cond.field) is not None:
                    text = f"{field_label(cond.field)}: {format_answer(profile.get(cond.field))}"
                    if text not in texts:
                        texts.append(text)
    return texts


def doctor_summary_html(assessment, *, previous_profile: dict | None = None, plan: dict | None = None,
                        printed: _dt.date | None = None) -> str:
    """One printable A4 page for the athlete's doctor.

    Parameters
    ----------
    assessment : heavylegs.analysis.pipeline.Assessment or dict
        The latest assessment (``profile``, ``ranking``, ``weekly``).
    previous_profile : dict, optional
        The answers of the assessment before it, for "what the coach changed".
    plan : dict, optional
        The plan made after the assessment (its load targets are named).
    printed : date, optional
        The date printed on the page (today by default).

    Returns
    -------
    str
        A complete HTML document: the red flags with the answers behind them,
        the lab values with the thresholds the catalogue uses, the top causes
        with their evidence, the last 8 weeks of load, and what changed since
        the previous assessment; dated.
    """
    profile = assessment["profile"] if isinstance(assessment, dict) else assessment.profile
    ranking = assessment["ranking"] if isinstance(assessment, dict) else assessment.ranking
    weekly = assessment.get("weekly") if isinstance(assessment, dict) else assessment.weekly
    unit = distance_unit(profile)
    printed = printed or _dt.date.today()
    name = profile.get("name") or profile.get("athlete_id")
    facts = [f"assessed {date_text(ranking.get('assessed_on') or profile.get('assessed_on')) or 'undated'}"]
    for key, label in (("sex", None), ("age_years", "age"), ("body_mass_kg", "kg")):
        value = profile.get(key)
        if value is not None:
            facts.append(f"{label} {format_answer(value)}" if label == "age" else
                         f"{format_answer(value)} {label}" if label else format_answer(value))
    parts = [f"<h1>For the doctor: heavy legs when running, {escape(name)}</h1>",
             f'<p class="meta">{escape("; ".join(facts))}. Printed {escape(date_text(printed.isoformat()))}. '
             "Prepared by the athlete's running coach with heavylegs; not a diagnosis.</p>"]
    flags = ranking.get("red_flags") or []
    parts.append("<h2>Warning signs</h2>")
    if flags:
        items = []
        for flag in flags:
            answers = _flag_answers(flag["id"], profile)
            items.append(f'<li><strong>{escape(urgency_label(flag["urgency"]))}: '
                         f'{escape(flag.get("title") or flag["id"])}</strong>. {escape(flag.get("reason") or "")}'
                         + (f" <em>Answers: {escape('; '.join(answers))}.</em>" if answers else "") + "</li>")
        parts.append('<div class="flag"><ul>' + "".join(items) + "</ul></div>")
    else:
        parts.append("<p>No red flag. The coach asks for a check because a likely cause below calls for one.</p>")
    thresholds = lab_thresholds()
    fired = _lab_evidence(ranking)
    known = [f for f in _LAB_FIELDS if profile.get(f) is not None]
    parts.append("<h2>Lab values</h2>")
    if known:
        def used(f):
            if fired.get(f):
                return "; ".join(fired[f])
            return ", ".join(dict.fromkeys(t.split(" (")[0] for t in thresholds[f])) or "–"

        rows = "".join(f"<tr><td>{escape(field_label(f).split(' [')[0])}</td><td class=\"num\">{escape(format_answer(profile[f]))} "
                       f"{escape(FIELDS[f].unit)}</td><td class=\"small\">{escape(used(f))}</td></tr>" for f in known)
        parts.append("<table><thead><tr><th>Test</th><th class=\"num\">Value</th><th>Against the thresholds "
                     f"used</th></tr></thead><tbody>{rows}</tbody></table>")
    missing = [field_label(f) for f in _LAB_FIELDS if profile.get(f) is None]
    if missing:
        parts.append(f'<p class="small">Not measured: {escape(", ".join(missing))}.</p>')
    top = [c for c in ranking.get("causes", []) if c.get("rank", 99) <= 3 and c.get("score", 0) > 0]
    parts.append("<h2>Most likely causes, from the coach's answers and the training log</h2>")
    if top:
        parts.append('<ul class="causes">')
        for cause in top:
            evidence = [e.get("because", "") for e in cause.get("evidence", []) if e.get("points", 0) > 0][:2]
            parts.append(f"<li><strong>{escape(cause.get('title', cause['id']))}</strong> "
                         f"({escape(cause.get('band', ''))}, {cause.get('score', 0)}/100): "
                         + escape("; ".join(evidence)) + ".</li>")
        parts.append("</ul>")
    else:
        parts.append("<p>No cause scored.</p>")
    parts.append(_weeks_table(weekly, unit))
    changes = profile_changes(previous_profile, profile)
    parts.append("<h2>What the coach changed</h2>")
    # answers changed from one known value to another are what the coach acted on: in full;
    # answers given for the first time (or dropped) are only counted after a few
    changed = [c for c in changes if c[1] is not None and c[2] is not None]
    other = [c for c in changes if c[1] is None or c[2] is None]
    shown = changed[:8] + other[: max(0, 4 - len(changed))]
    answers = "; ".join(f"{field_label(f)}: {format_answer(b) or 'unknown'} → {format_answer(n) or 'unknown'}"
                        for f, b, n in shown)
    if len(changes) > len(shown):
        answers += f"; and {len(changes) - len(shown)} more answers"
    lines = [f"Answers since the assessment before: {answers}."] if changes else []
    if plan is not None:
        if plan.get("withheld_for"):
            lines.append("Training stopped until a doctor has seen the athlete.")
        elif plan.get("weeks") and plan["weeks"][0].get("target_high") is not None:
            w = plan["weeks"][0]
            lines.append(f"Two-week plan from {date_text(plan['start'])}: week 1 load "
                         f"{w['target_low']:.0f}-{w['target_high']:.0f} {load_unit(plan.get('load_metric'))} "
                         f"({metric_words(plan.get('load_metric'))})"
                         + (", a lighter week" if plan.get("lighter") else "") + ".")
    if lines:
        parts.append("<ul>" + "".join(f"<li>{escape(x)}</li>" for x in lines) + "</ul>")
    else:
        parts.append("<p>Nothing yet: this is the first assessment.</p>")
    parts.append(f'<p class="disclaimer">{escape(DISCLAIMER)}</p>')
    return _page(f"For the doctor: {escape(name)}", "".join(parts))


def _weeks_table(weekly, unit) -> str:
    """The last 8 weeks of the weekly table, one column a week (fits the page's width)."""
    head = "<h2>Training load, last 8 weeks</h2>"
    if weekly is None or not len(weekly):
        return head + "<p>No training log.</p>"
    column, metric = load_source(weekly)
    weeks = weekly.tail(8)

    def acwr(value):
        return "–" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.2f}"

    rows = [("Week of", [date_text(str(w)[:10])[:-5] for w in weeks["week_start"]]),
            ("Runs", [str(int(x)) for x in weeks["runs"]]),
            (f"Distance [{unit}]", [distance_text(float(x), unit).split()[0] for x in weeks["distance_km"]]),
            ("Hours", [f"{float(x) / 60:.1f}" for x in weeks["duration_min"]]),
            (f"Load ({metric})", [f"{float(x):.0f}" for x in weeks[column]]),
            ("ACWR", [acwr(x) for x in weeks["acwr"]])]
    body = "".join(f"<tr><th>{escape(label)}</th>" + "".join(f'<td class="num">{escape(v)}</td>' for v in values)
                   + "</tr>" for label, values in rows)
    return head + f"<table><tbody>{body}</tbody></table>"


# --------------------------------------------------------------------------- all files at once

def plan_files(assessment, plan: dict, *, previous_profile: dict | None = None,
               now: _dt.datetime | None = None) -> dict:
    """Every file ``heavylegs plan`` writes, as texts, before anything is written.

    Returns
    -------
    dict
        File name to text: ``plan.json``, ``plan.ics``, ``plan.html``, and
        ``doctor.html`` when :func:`doctor_summary_needed`.
    """
    profile = assessment["profile"] if isinstance(assessment, dict) else assessment.profile
    ranking = assessment["ranking"] if isinstance(assessment, dict) else assessment.ranking
    unit = distance_unit(profile)
    now = now or _dt.datetime.now(_dt.timezone.utc)
    name = profile.get("name")
    files = {"plan.json": plan_json(plan),
             "plan.ics": plan_ics(plan, name=name, unit=unit, now=now),
             "plan.html": plan_html(plan, name=name, unit=unit, printed=now.date())}
    if doctor_summary_needed(ranking):
        # distances in the athlete's unit, as on the dashboard (the files keep km)
        files["doctor.html"] = in_unit(doctor_summary_html(assessment, previous_profile=previous_profile,
                                                           plan=plan, printed=now.date()), unit)
    return files
