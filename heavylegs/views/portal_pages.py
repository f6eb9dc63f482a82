"""The athlete portal's own pages: the check-in form, the plan, the doctor's page, QR codes.

Every page here is plain HTML that works without JavaScript on a phone:
big tap targets (at least 44 px, as the usual touch guidelines ask), the
0-10 heaviness and the 1-7 Hooper items as rows of buttons (radio inputs),
sleep as a list to pick from, so a check-in needs no keyboard. Links
between the pages are relative (``./``, ``checkin``, ``plan``...), so the
pages work under any base address, behind a reverse proxy included, and
no page carries the link's secret in its text.

The dashboard itself is Voila's page (``heavylegs/serve/templates/``);
:func:`with_portal_nav` adds the portal's navigation to it.
"""
from __future__ import annotations

import datetime as _dt
import io
import math

import segno

from heavylegs.views.html import CSS, DISCLAIMER, date_text, escape
from heavylegs.views.plan_pages import plan_section_html

__all__ = [
    "PORTAL_CSS",
    "CHECKIN_DAYS",
    "HOOPER_WORDS",
    "SLEEP_CHOICES",
    "portal_page",
    "nav_html",
    "with_portal_nav",
    "checkin_days",
    "checkin_form_html",
    "plan_page_html",
    "doctor_page_html",
    "message_page",
    "qr_code",
    "qr_png",
    "qr_text",
    "qr_svg",
    "last_checkin",
    "last_checkin_html",
    "portal_link_html",
]

#: Days an athlete may check in for or correct: today and the 6 days before it.
CHECKIN_DAYS = 7
#: The ends of each 1-7 Hooper item, as the athlete reads them (1 = best ... 7 = worst).
HOOPER_WORDS = {
    "sleep_quality": ("Sleep quality", "very, very good", "very, very bad"),
    "fatigue": ("Fatigue", "very, very low", "very, very high"),
    "stress": ("Stress", "very, very low", "very, very high"),
    "soreness": ("Muscle soreness", "very, very low", "very, very high"),
}
#: Hours of sleep offered in the form's list [h] (the format allows 0-14).
SLEEP_CHOICES = tuple(x / 2 for x in range(0, 29))

PORTAL_CSS = CSS + """
div.hl-dash nav.hl-nav{display:flex;flex-wrap:wrap;gap:6px;margin:6px 0 10px}
div.hl-dash nav.hl-nav a{display:inline-block;min-height:44px;line-height:44px;padding:0 14px;border-radius:22px;
  background:#eef1f4;color:#1f2328;text-decoration:none;font-weight:600}
div.hl-dash nav.hl-nav a.hl-nav-checkin{background:#2e7d32;color:#fff}
div.hl-dash nav.hl-nav a[aria-current=page]{background:#1f2328;color:#fff}
div.hl-dash form.hl-checkin fieldset{border:0;padding:0;margin:16px 0}
div.hl-dash form.hl-checkin legend{font-weight:700;font-size:1.05rem;padding:0;margin-bottom:4px}
div.hl-dash .hl-scale{display:flex;flex-wrap:wrap;gap:6px}
div.hl-dash .hl-scale.hl-scale-wide{display:grid;grid-template-columns:repeat(6,1fr)}
div.hl-dash .hl-scale input{position:absolute;opacity:0;width:1px;height:1px}
div.hl-dash .hl-scale label{flex:1 0 44px;min-width:44px;min-height:48px;display:flex;align-items:center;
  justify-content:center;border:2px solid #d0d7de;border-radius:10px;font-size:1.15rem;font-weight:700;
  cursor:pointer;background:#fff;user-select:none}
div.hl-dash .hl-scale input:checked+label{background:#0b5cad;border-color:#0b5cad;color:#fff}
div.hl-dash .hl-scale input:focus-visible+label{outline:3px solid #e69f00}
div.hl-dash .hl-ends{display:flex;justify-content:space-between;color:#57606a;font-size:.85rem;margin-top:2px}
div.hl-dash select,div.hl-dash textarea{font:inherit;font-size:1.05rem;min-height:48px;width:100%;
  border:2px solid #d0d7de;border-radius:10px;padding:6px 10px;background:#fff}
div.hl-dash textarea{min-height:80px}
div.hl-dash button.hl-save{font:inherit;font-size:1.15rem;font-weight:700;color:#fff;background:#2e7d32;border:0;
  border-radius:12px;min-height:56px;width:100%;margin:10px 0;cursor:pointer}
div.hl-dash .hl-refusal{color:#a50e0e;font-weight:600;margin:4px 0}
div.hl-dash fieldset.hl-bad .hl-scale label,div.hl-dash .hl-bad select{border-color:#a50e0e}
div.hl-dash .hl-saved{background:#eef7f0;border-left:5px solid #2e7d32;border-radius:6px;padding:10px 12px;
  margin:10px 0;font-weight:600}
div.hl-dash .hl-not-saved{background:#fdecea;border-left:5px solid #a50e0e;border-radius:6px;padding:10px 12px;
  margin:10px 0;font-weight:600}
div.hl-dash .hl-days{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0}
div.hl-dash .hl-days a{display:inline-block;min-height:44px;line-height:44px;padding:0 12px;border-radius:10px;
  border:2px solid #d0d7de;color:#1f2328;text-decoration:none}
div.hl-dash .hl-days a[aria-current=date]{border-color:#0b5cad;color:#0b5cad;font-weight:700}
div.hl-dash table.hl-recent{border-collapse:collapse;width:100%;font-size:.95rem}
div.hl-dash table.hl-recent th,div.hl-dash table.hl-recent td{border-bottom:1px solid #d0d7de;padding:6px 4px;
  text-align:left;vertical-align:top}
div.hl-dash table.hl-recent td.num{text-align:right}
"""

_PAGES = (("./", "Dashboard", "dashboard"), ("checkin", "Check-in", "checkin"), ("plan", "Plan", "plan"),
          ("doctor", "For your doctor", "doctor"))


def nav_html(active: str | None = None) -> str:
    """The portal's navigation: relative links to the dashboard, check-in, plan and doctor's page."""
    links = "".join(f'<a href="{href}" class="hl-nav-{key}"{" aria-current=page" if key == active else ""}>'
                    f"{escape(text)}</a>" for href, text, key in _PAGES)
    return f'<nav class="hl-nav" aria-label="Your pages">{links}</nav>'


def portal_page(title: str, body: str, active: str | None = None) -> str:
    """A whole portal page: viewport for phones, the styles inline, the navigation, ``body``.

    Parameters
    ----------
    title : str
        The page title (escaped here).
    body : str
        HTML, already escaped.
    active : str, optional
        The navigation entry to mark (``"checkin"``, ``"plan"``, ``"doctor"``).
    """
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer"><link rel="icon" href="data:;base64,=">'
            f"<title>{escape(title)}</title><style>body{{margin:0;padding:8px;background:#fff}}{PORTAL_CSS}</style>"
            f'</head><body><div class="hl-dash">{nav_html(active) if active else ""}{body}</div></body></html>\n')


def message_page(title: str, text: str) -> str:
    """A short page with a heading and one sentence (no navigation, no detail)."""
    return portal_page(title, f"<h1>{escape(title)}</h1><p>{escape(text)}</p>")


def with_portal_nav(page: str) -> str:
    """The dashboard page Voila rendered, with the portal's navigation at the top of its body.

    Parameters
    ----------
    page : str
        A whole HTML document (the ``heavylegs-dashboard`` template's).

    Returns
    -------
    str
        The same page, the navigation's styles added to its head and the
        navigation inserted right after ``<body>``; unchanged when it has
        no ``<body>``.
    """
    head_end = page.find("</head>")
    body = page.find("<body>")
    if head_end < 0 or body < 0:
        return page
    page = page[:head_end] + f"<style>{_nav_css()}</style>" + page[head_end:]
    body = page.find("<body>") + len("<body>")
    return page[:body] + f'<div class="hl-dash">{nav_html("dashboard")}</div>' + page[body:]


def _nav_css() -> str:
    return ("div.hl-dash nav.hl-nav{display:flex;flex-wrap:wrap;gap:6px;margin:6px auto 10px;max-width:820px}"
            "div.hl-dash nav.hl-nav a{display:inline-block;min-height:44px;line-height:44px;padding:0 14px;"
            "border-radius:22px;background:#eef1f4;color:#1f2328;text-decoration:none;font-weight:600;"
            "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
            "div.hl-dash nav.hl-nav a.hl-nav-checkin{background:#2e7d32;color:#fff}"
            "div.hl-dash nav.hl-nav a[aria-current=page]{background:#1f2328;color:#fff}")


def checkin_days(today: _dt.date) -> list:
    """The days a check-in may be left or corrected for: today first, then the 6 before it."""
    return [today - _dt.timedelta(days=n) for n in range(CHECKIN_DAYS)]


def _day_words(day: _dt.date, today: _dt.date) -> str:
    if day == today:
        return "Today"
    if day == today - _dt.timedelta(days=1):
        return "Yesterday"
    return f"{day.strftime('%a')} {day.day} {day.strftime('%b')}"


def _shown_value(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _scale(name: str, low: int, high: int, value, refused: str | None, legend: str, ends: tuple) -> str:
    chosen = _shown_value(value)
    buttons = []
    for number in range(low, high + 1):
        ident = f"hl-{name}-{number}"
        checked = " checked" if chosen == str(number) else ""
        buttons.append(f'<input type="radio" name="{name}" id="{ident}" value="{number}"{checked}>'
                       f'<label for="{ident}">{number}</label>')
    error = f'<p class="hl-refusal" id="hl-{name}-refused">{escape(refused)}</p>' if refused else ""
    return (f'<fieldset id="hl-{name}"{" class=hl-bad" if refused else ""}><legend>{escape(legend)}</legend>'
            f'{error}<div class="hl-scale{" hl-scale-wide" if high - low > 6 else ""}">{"".join(buttons)}</div>'
            f'<div class="hl-ends"><span>{low} = {escape(ends[0])}</span><span>{high} = {escape(ends[1])}</span>'
            "</div></fieldset>")


def checkin_form_html(*, name: str, today: _dt.date, day: _dt.date, values: dict, csrf: str,
                      recent: list, refused: dict | None = None, saved: str | None = None,
                      general: list | None = None) -> str:
    """The check-in page: the form for one day, and the athlete's last check-ins.

    Parameters
    ----------
    name : str
        The athlete's first name.
    today : date
        Today on the server.
    day : date
        The day the form is for (one of :func:`checkin_days`).
    values : dict
        What the form shows: the day's saved check-in, or the refused
        submission (field name to value).
    csrf : str
        The form's CSRF token (a hidden field).
    recent : list of dict
        The last check-ins, newest first: ``date`` (``YYYY-MM-DD``),
        ``heaviness``, ``sleep_h``, ``hooper``, ``notes``, ``source``.
    refused : dict, optional
        Field name to the reason it was refused, shown next to the field.
    saved : str, optional
        ``YYYY-MM-DD`` of the check-in just saved: the page says "Saved".
    general : list of str, optional
        Refusals that belong to no one field (shown at the top).

    Returns
    -------
    str
        A whole HTML page (:func:`portal_page`).
    """
    refused = refused or {}
    parts = [f"<h1>Check-in: {escape(name)}</h1>"]
    if saved:
        parts.append(f'<p class="hl-saved" id="hl-saved" role="status">Saved: your check-in for '
                     f'{escape(date_text(saved))}. Thank you!</p>')
    if refused or general:
        count = len(refused) + len(general or [])
        parts.append(f'<div class="hl-not-saved" id="hl-not-saved" role="alert">Not saved: '
                     f'{count} answer{"s" if count != 1 else ""} to look at'
                     + "".join(f"<p>{escape(text)}</p>" for text in general or []) + "</div>")
    days = checkin_days(today)
    parts.append('<p class="hl-meta">Check in for another day (up to 6 days back):</p><div class="hl-days">'
                 + "".join(f'<a href="checkin?date={d.isoformat()}"{" aria-current=date" if d == day else ""}>'
                           f"{escape(_day_words(d, today))}</a>" for d in days) + "</div>")
    parts.append('<form class="hl-checkin" method="post" action="checkin" autocomplete="off">'
                 f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
                 f'<input type="hidden" name="date" value="{day.isoformat()}">'
                 f'<h2 id="hl-form-day">{escape(_day_words(day, today))}, {escape(date_text(day.isoformat()))}</h2>')
    if "date" in refused:
        parts.append(f'<p class="hl-refusal" id="hl-date-refused">{escape(refused["date"])}</p>')
    parts.append(_scale("heaviness", 0, 10, values.get("heaviness"), refused.get("heaviness"),
                        "How heavy did your legs feel today?", ("light, normal", "like lead")))
    sleep = _shown_value(values.get("sleep_h"))
    options = ['<option value="">not said</option>']
    known = {_shown_value(x) for x in SLEEP_CHOICES}
    if sleep and sleep not in known:
        options.append(f'<option value="{escape(sleep)}" selected>{escape(sleep)} h</option>')
    options += [f'<option value="{_shown_value(x)}"{" selected" if _shown_value(x) == sleep else ""}>'
                f"{_shown_value(x)} h</option>" for x in SLEEP_CHOICES]
    error = refused.get("sleep_h")
    parts.append(f'<fieldset id="hl-sleep_h"{" class=hl-bad" if error else ""}><legend>'
                 '<label for="hl-sleep-select">Sleep last night [h]</label></legend>'
                 + (f'<p class="hl-refusal" id="hl-sleep_h-refused">{escape(error)}</p>' if error else "")
                 + f'<select name="sleep_h" id="hl-sleep-select">{"".join(options)}</select></fieldset>')
    for item, (label, low_words, high_words) in HOOPER_WORDS.items():
        parts.append(_scale(item, 1, 7, values.get(item), refused.get(item), label, (low_words, high_words)))
    notes = values.get("notes")
    error = refused.get("notes")
    parts.append(f'<fieldset id="hl-notes"{" class=hl-bad" if error else ""}><legend><label for="hl-notes-text">'
                 "Anything else? (optional)</label></legend>"
                 + (f'<p class="hl-refusal" id="hl-notes-refused">{escape(error)}</p>' if error else "")
                 + f'<textarea name="notes" id="hl-notes-text" rows="3">{escape(_shown_value(notes))}</textarea>'
                 "</fieldset>")
    for other in sorted(set(refused) - {"date", "heaviness", "sleep_h", "notes", *HOOPER_WORDS}):
        parts.append(f'<p class="hl-refusal">{escape(other)}: {escape(refused[other])}</p>')
    parts.append('<button type="submit" class="hl-save" id="hl-save">Save check-in</button></form>')
    parts.append(_recent_html(recent, today))
    parts.append(f'<p class="hl-disclaimer">{escape(DISCLAIMER)}</p>')
    return portal_page(f"Check-in: {name}", "".join(parts), active="checkin")


def _recent_html(recent: list, today: _dt.date) -> str:
    if not recent:
        return '<h2>Your last check-ins</h2><p id="hl-recent-none">No check-in yet.</p>'
    first_day = checkin_days(today)[-1]
    rows = []
    for row in recent:
        day = _dt.date.fromisoformat(row["date"])
        when = escape(_day_words(day, today) if day.year == today.year else date_text(row["date"]))
        if first_day <= day <= today:
            when = f'<a href="checkin?date={row["date"]}">{when}</a>'
        rows.append(f'<tr><td>{when}</td><td class="num">{_shown_value(row.get("heaviness"))}</td>'
                    f'<td class="num">{escape(_shown_value(row.get("sleep_h")))}</td>'
                    f'<td class="num">{escape(_shown_value(row.get("hooper")))}</td>'
                    f'<td>{escape(_shown_value(row.get("notes")))}</td></tr>')
    return ('<h2>Your last check-ins</h2><table class="hl-recent" id="hl-recent"><thead><tr><th>Day</th>'
            '<th class="num">Heavy (0-10)</th><th class="num">Sleep [h]</th><th class="num">Hooper (4-28)</th>'
            f'<th>Notes</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')


def plan_page_html(content: dict) -> str:
    """The athlete's plan page: the two weeks the coach saved, in plain words, and the calendar link.

    Parameters
    ----------
    content : dict
        :func:`heavylegs.views.dashboard.dashboard_content` (``name``, ``unit``, ``plan``).
    """
    plan = content.get("plan")
    name = content.get("name") or ""
    if plan is None:
        body = (f"<h1>Plan: {escape(name)}</h1><p id=\"hl-no-plan\">Your coach has not saved a plan yet. "
                "It will appear here once they do.</p>")
    else:
        body = (f"<h1>Plan: {escape(name)}</h1>"
                '<p><a href="plan.ics" id="hl-ics">Add these two weeks to your calendar (.ics)</a></p>'
                + plan_section_html(plan, content.get("unit") or "km"))
    return portal_page(f"Plan: {name}", body + f'<p class="hl-disclaimer">{escape(DISCLAIMER)}</p>', active="plan")


def doctor_page_html(content: dict) -> str:
    """The page for the athlete's doctor, or why there is none.

    Parameters
    ----------
    content : dict
        :func:`heavylegs.views.dashboard.dashboard_content`; its ``doctor``
        page is there when a red flag stands or a likely cause calls for a
        doctor (the dashboard's own rule).
    """
    if content.get("doctor"):
        return content["doctor"]
    name = content.get("name") or ""
    body = (f"<h1>For your doctor: {escape(name)}</h1><p id=\"hl-no-doctor\">Nothing in your answers calls for a "
            "page for your doctor. If anything listed under \"see a doctor if\" on your dashboard appears, do see "
            f"one.</p><p class=\"hl-disclaimer\">{escape(DISCLAIMER)}</p>")
    return portal_page(f"For your doctor: {name}", body, active="doctor")


# --- QR codes ---------------------------------------------------------------------------------

def qr_code(link: str):
    """The QR code of a link (:mod:`segno`, error correction M: readable with 15 % of it damaged)."""
    return segno.make(link, error="m", micro=False)


def qr_png(link: str, path, scale: int = 8) -> None:
    """Write the link's QR code as a PNG (``scale`` pixels a module, the standard 4-module border)."""
    qr_code(link).save(str(path), kind="png", scale=scale, border=4)


def qr_text(link: str) -> str:
    """The link's QR code drawn with Unicode half blocks, for a terminal (two modules a character)."""
    out = io.StringIO()
    qr_code(link).terminal(out=out, compact=True)
    return out.getvalue()


def qr_svg(link: str, scale: int = 4) -> str:
    """The link's QR code as an inline ``<svg>`` element (for the workbook)."""
    return qr_code(link).svg_inline(scale=scale, border=4)


# --- the coach's side ---------------------------------------------------------------------------------

def last_checkin(checkins) -> dict | None:
    """The newest check-in and where it came from, or None without any.

    Parameters
    ----------
    checkins : pandas.DataFrame or None
        :func:`heavylegs.logs.checkins.read_checkins` (sorted by date).

    Returns
    -------
    dict or None
        ``date`` (``YYYY-MM-DD``), ``heaviness`` (int) and ``source``:
        ``"portal"`` when the athlete sent it from the portal, else
        ``"coach"`` (the workbook's quick entry, or an import).
    """
    if checkins is None or len(checkins) == 0:
        return None
    row = checkins.iloc[-1]
    source = row["source"] if "source" in checkins.columns else None
    return {"date": row["date"].date().isoformat(), "heaviness": int(row["heaviness"]),
            "source": "portal" if isinstance(source, str) and source.strip() == "portal" else "coach"}


def last_checkin_html(last: dict | None, today: _dt.date) -> str:
    """One line for the workbook: the last check-in, how long ago, and whether the athlete or the coach sent it."""
    if last is None:
        return '<div class="hl-last-checkin">No check-in yet.</div>'
    days = (today - _dt.date.fromisoformat(last["date"])).days
    ago = "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"
    who = "sent by the athlete from the portal" if last["source"] == "portal" else "entered by the coach"
    return (f'<div class="hl-last-checkin">Last check-in: <b>{escape(date_text(last["date"]))}</b> ({ago}), '
            f'heaviness {last["heaviness"]}, {who}.</div>')


def portal_link_html(link: str, athlete_name: str) -> str:
    """The athlete's portal link with its QR code, for the coach to show or send.

    Parameters
    ----------
    link : str
        ``BASE/a/SECRET/`` (:func:`heavylegs.store.portal_links.make_link`).
    athlete_name : str
        Who the link is for.
    """
    return ('<div class="hl-portal-link" style="display:flex;gap:12px;align-items:center;flex-wrap:wrap">'
            f'<div>{qr_svg(link, scale=3)}</div><div><b>{escape(athlete_name)}\'s portal link</b> (a new one: '
            "earlier links keep working until <code>heavylegs portal revoke</code>):<br>"
            f'<code style="user-select:all">{escape(link)}</code><br>'
            '<span style="color:#555">Anyone holding it can read these pages and check in: send it to the athlete '
            "only. It works while <code>heavylegs portal</code> runs.</span></div></div>")
