"""The squad view: every athlete at a glance, as a thin widget over :mod:`heavylegs.analysis.squad`.

:func:`squad_table_html` draws rows of :func:`heavylegs.analysis.squad.squad_rows` as
one HTML table (plain data in, a string out); :class:`SquadView` wires it to
sort and filter controls and, in the coach's JupyterLab, to "Open in the
workbook": the chosen athlete's :class:`heavylegs.app.widgets.CoachWorkbook`
opens below the table, in the same notebook (a kernel cannot open another
notebook tab, and a link to ``coach_workbook.ipynb`` could not carry the
athlete). Served read-only by Voila (``heavylegs squad --serve``), the view
has no workbook: sort and filter only.
"""
from __future__ import annotations

import datetime as _dt
import os
from functools import lru_cache

import ipywidgets as widgets

from heavylegs.analysis.squad import (ACWR_HIGH, NO_CHECKIN_DAYS, SORT_KEYS, as_day, filter_rows, no_session_text,
                                      sort_rows, squad_rows)
from heavylegs.store.storage import SERVED_SQUAD_ENV, default_data_dir
from heavylegs.views.html import BAND_COLOURS, URGENCY_ORDER, escape, metric_words, urgency_label
from heavylegs.knowledge.causes import load_causes, load_red_flags
from heavylegs.knowledge.causes import rule_threshold  # the ACWR line of the overtraining rule and the chart

__all__ = ["SquadView", "squad_table_html", "URGENCY_COLOURS", "title_of", "checked_in_today", "not_checked_in_last"]

#: Colour of each red-flag urgency (a red for emergency and urgent, an orange for soon; the
#: dashboard's banner red for the worst).
URGENCY_COLOURS = {"emergency": "#B00020", "urgent": "#D32F2F", "soon": "#E65100"}

_STYLE = """<style>
table.hl-squad{border-collapse:collapse;font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
  width:100%}
table.hl-squad th{position:sticky;top:0;background:#f6f8fa;text-align:left;padding:6px 8px;
  border-bottom:2px solid #d0d7de;font-weight:600;vertical-align:bottom}
table.hl-squad td{padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
table.hl-squad td.num{text-align:right;font-variant-numeric:tabular-nums}
table.hl-squad .hl-chip{display:inline-block;border-radius:10px;padding:1px 7px;margin:1px 2px 1px 0;
  font-size:12px;white-space:normal}
table.hl-squad .hl-flag{color:#fff;font-weight:600}
table.hl-squad .hl-id{color:#57606a;font-size:12px}
table.hl-squad .hl-warn{color:#b00020;font-weight:600}
table.hl-squad .hl-mute{color:#8c959f}
table.hl-squad tr.hl-error td{background:#fff4e5}
table.hl-squad .hl-today{color:#2e7d32;font-weight:600;white-space:nowrap}
table.hl-squad .hl-cause{white-space:normal}
/* a phone: one card per athlete, each value under its own heading, nothing cut or scrolled */
@media (max-width: 640px){
  table.hl-squad thead{display:none}
  table.hl-squad, table.hl-squad tbody, table.hl-squad tr, table.hl-squad td{display:block;width:auto}
  table.hl-squad tr{border:1px solid #d0d7de;border-radius:6px;margin:0 0 8px 0;padding:4px 0}
  table.hl-squad td{border:0;padding:2px 8px;text-align:left}
  table.hl-squad td.num{text-align:left;white-space:normal}
  table.hl-squad td[data-label]::before{content:attr(data-label);display:block;font-size:11px;color:#57606a}
  table.hl-squad .hl-chip{white-space:normal}
}
</style>"""

_HEAD = ("Athlete", "Red flags", "Top causes", "Last assessment", "Load: 7 days / average week", "ACWR",
         "Heaviness, 7 days", "Trend", "Last check-in", "Watch: rest HR, HRV (7 days vs usual)",
         "Checked in today")


@lru_cache(maxsize=1)
def _titles() -> dict:
    """Title of every cause and red flag of the catalogue, by id."""
    return {item.id: item.title for item in (*load_causes(), *load_red_flags())}


def title_of(item: dict) -> str:
    """The title a person reads for a cause or red flag of a squad row (its own ``title``, else the catalogue's)."""
    return item.get("title") or _titles().get(item["id"]) or item["id"].replace("_", " ")


def _flag_chip(flag: dict) -> str:
    colour = URGENCY_COLOURS.get(flag["urgency"], "#B00020")
    return (f'<span class="hl-chip hl-flag" style="background:{colour}" title="{escape(urgency_label(flag["urgency"]))}">'
            f'{escape(flag["urgency"])}: {escape(title_of(flag))}</span>')


def _cause_chip(cause: dict) -> str:
    colour = BAND_COLOURS.get(cause["band"], "#A0A0A0")
    return (f'<span class="hl-chip hl-cause" style="border:1px solid {colour}" title="{escape(cause["band"])}">'
            f'{escape(title_of(cause))} <b>{int(cause["score"])}</b> '
            f'<span style="color:{colour}">{escape(cause["band"])}</span></span>')


def _num(value, fmt: str) -> str:
    return '<span class="hl-mute">–</span>' if value is None else escape(fmt.format(value))


def _wellness_cell(row: dict) -> str:
    """The watch's resting HR and HRV of the last 7 days with their change from the usual, and the sources."""
    parts, sources = [], []
    rhr, rise = row.get("rhr_7d_bpm"), row.get("rhr_trend_bpm")
    if rhr is not None:
        text = f'{_num(rhr, "{:.0f}")} bpm'
        if rise is not None:
            change = _num(rise, "{:+.0f}")
            text += (f' <span class="hl-warn" title="5 bpm or more above the usual">({change} ↑)</span>'
                     if rise >= 5 else f" ({change})")
        parts.append(text)
        sources.append(row.get("rhr_source") or "")
    hrv, change_pct = row.get("hrv_7d_ms"), row.get("hrv_trend_pct")
    if hrv is not None:
        text = f'{_num(hrv, "{:.0f}")} ms'
        if change_pct is not None:
            change = _num(change_pct, "{:+.0f}%")
            text += (f' <span class="hl-warn" title="below the normal band">({change} ↓)</span>'
                     if row.get("hrv_below_normal") else f" ({change})")
        parts.append(text)
        sources.append(row.get("hrv_source") or "")
    if not parts:
        return '<span class="hl-mute" title="no wellness.csv">–</span>'
    names = " · ".join(dict.fromkeys(escape(s) for s in sources if s))
    return "<br>".join(parts) + f'<br><span class="hl-id">{names}</span>'


def _row_html(row: dict, today: _dt.date) -> str:
    who = (f'<b>{escape(row["name"] or row["athlete_id"])}</b><br><span class="hl-id">{escape(row["athlete_id"])}'
           '</span>')
    if row.get("error"):
        return (f'<tr class="hl-error" data-athlete="{escape(row["athlete_id"])}"><td>{who}</td>'
                f'<td colspan="{len(_HEAD) - 1}">&#9888; {escape(row["error"])}</td></tr>')
    flags = sorted(row["red_flags"], key=lambda f: URGENCY_ORDER.get(f["urgency"], 99))
    flags_cell = "".join(_flag_chip(f) for f in flags) or '<span class="hl-mute">none</span>'
    causes_cell = "<br>".join(_cause_chip(c) for c in row["top_causes"])
    stale = no_session_text(row)
    if row["week_load"] is None:
        load_cell = '<span class="hl-mute">no log</span>'
    elif stale is not None:  # two short lines: the table must fit a 1280 px screen
        load_cell = (f'<span class="hl-mute">no session for {row["days_since_session"]} days</span><br>'
                     f'<span class="hl-id">last {escape(row["last_session"])}</span>')
    else:
        load_cell = (f'{_num(row["week_load"], "{:.0f}")} / {_num(row["chronic_load"], "{:.0f}")} '
                     f'<span class="hl-id">({escape(metric_words(row["load_metric"]))})</span>')
    acwr = row["acwr"]
    acwr_cell = _num(acwr, "{:.2f}")
    if acwr is not None and acwr > ACWR_HIGH:
        acwr_cell = f'<span class="hl-warn" title="above {ACWR_HIGH}">{acwr_cell}{" ▲" if acwr > rule_threshold("log_acwr") else ""}</span>'
    trend = row["heaviness_trend"]
    trend_cell = _num(trend, "{:+.1f}")
    if trend is not None and trend > 0:
        trend_cell = f'<span class="hl-warn" title="heavier than the week before">{trend_cell} ↑</span>'
    elif trend is not None and trend < 0:
        trend_cell = f'{trend_cell} ↓'
    if row["last_checkin"] is None:
        checkin_cell = '<span class="hl-mute">never</span>'
    else:
        days = (today - _dt.date.fromisoformat(row["last_checkin"])).days
        text = f'{escape(row["last_checkin"])}<br><span class="hl-id">{days} d ago</span>'
        checkin_cell = f'<span class="hl-warn">{text}</span>' if days >= NO_CHECKIN_DAYS else text
    today_cell = ('<span class="hl-today" title="checked in today">✓ yes</span>' if checked_in_today(row, today)
                  else '<span class="hl-mute">not yet</span>')
    cells = (who, flags_cell, causes_cell, _num(row["last_assessment"], "{}"), load_cell, acwr_cell,
             _num(row["heaviness_7d"], "{:.1f}"), trend_cell, checkin_cell, _wellness_cell(row), today_cell)
    classes = ("", "", "", "", "num", "num", "num", "num", "", "", "")
    tds = "".join(f'<td class="{c}" data-label="{escape(h)}">{cell}</td>' if c
                  else f'<td data-label="{escape(h)}">{cell}</td>' for c, h, cell in zip(classes, _HEAD, cells))
    return f'<tr data-athlete="{escape(row["athlete_id"])}">{tds}</tr>'


def checked_in_today(row: dict, today) -> bool:
    """Whether the athlete of a squad row has a check-in for ``today`` (from the portal or the coach)."""
    return row.get("last_checkin") == as_day(today).isoformat()


def not_checked_in_last(rows, today) -> list:
    """The rows with those who have not checked in today moved to the end, the order kept otherwise.

    An athlete with a red flag, or whose files cannot be read, stays where the
    order put them (first, in the default order), checked in or not: a red
    flag always comes first.
    """
    return sorted(rows, key=lambda r: not r.get("red_flags") and not r.get("error")
                  and not checked_in_today(r, today))


def squad_table_html(rows, today=None) -> str:
    """The squad as one HTML table, one row per athlete, every text escaped.

    Parameters
    ----------
    rows : list of dict
        Rows of :func:`heavylegs.analysis.squad.squad_rows`, in the order to show.
    today : str or date, optional
        For the days since the last check-in (today by default).

    Returns
    -------
    str
        ``<table class="hl-squad">`` with its style: red flags coloured by
        urgency, the three top causes with their bands, an ACWR above 1.3
        and a check-in older than 7 days in red.
    """
    day = as_day(today)
    head = "".join(f"<th>{escape(h)}</th>" for h in _HEAD)
    if not rows:
        body = f'<tr><td colspan="{len(_HEAD)}" class="hl-mute">No athlete matches.</td></tr>'
    else:
        body = "".join(_row_html(row, day) for row in rows)
    return (f'{_STYLE}<div style="overflow-x:auto"><table class="hl-squad"><thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table></div>')


class SquadView(widgets.VBox):
    """Every athlete of a data folder at a glance, with sort, filters and "Open in the workbook".

    Parameters
    ----------
    data_dir : str or Path, optional
        The data folder (:func:`heavylegs.store.storage.default_data_dir` by default).
    today : str or date, optional
        The day the squad is looked at (today by default).
    read_only : bool
        No workbook (the view Voila serves): sort and filter only.

    Attributes
    ----------
    rows : list of dict
        Every athlete's row (:func:`heavylegs.analysis.squad.squad_rows`).
    shown : list of dict
        The rows the table shows, filtered and sorted.
    sort, only_flags, acwr_high, no_checkin : ipywidgets controls
    table : ipywidgets.HTML
    athlete : ipywidgets.Dropdown
        The athlete to open, among the rows shown, in their order.
    workbook : heavylegs.app.widgets.CoachWorkbook or None
        The workbook opened below the table.
    """

    def __init__(self, data_dir=None, *, today=None, read_only: bool = False, **kwargs):
        self.data_dir = data_dir if data_dir is not None else default_data_dir()
        self.today = as_day(today)
        self._follows_today = today is None
        self.read_only = read_only
        self.rows = squad_rows(self.data_dir, today=self.today)
        self.workbook = None
        self.sort = widgets.Dropdown(options=[(label, key) for key, label in SORT_KEYS.items()], value="urgency",
                                     description="Sort", layout=widgets.Layout(width="340px"))
        # every control as wide as its words (never cut), and the row wraps on a phone
        fit = {"width": "auto"}
        self.sort.layout = widgets.Layout(width="auto", max_width="340px")
        self.only_flags = widgets.ToggleButton(description="Red flags", tooltip="only athletes with a red flag",
                                               layout=fit)
        self.acwr_high = widgets.ToggleButton(description=f"ACWR above {ACWR_HIGH}", layout=fit,
                                              tooltip="only athletes whose 7-day load outgrew their average week")
        self.no_checkin = widgets.ToggleButton(description=f"No check-in for {NO_CHECKIN_DAYS} days", layout=fit)
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.athlete = widgets.Dropdown(description="Athlete", layout=widgets.Layout(width="auto", max_width="340px"))
        self.open_button = widgets.Button(description="Open in the workbook", button_style="primary",
                                          icon="external-link", layout=fit)
        self.workbook_area = widgets.VBox()
        for control in (self.sort, self.only_flags, self.acwr_high, self.no_checkin):
            control.observe(self._refresh, names="value")
        self.open_button.on_click(self._open)
        self.reload_button = widgets.Button(description="Reload", icon="refresh", layout=fit,
                                            tooltip="read every athlete's files again (check-ins from the portal)")
        self.reload_button.on_click(lambda _b: self.reload())
        wrap = widgets.Layout(flex_flow="row wrap", width="100%")
        self.help = widgets.HTML(
            "<p style='margin:2px 0;color:#57606a'>Read-only: sort and filter here; a coach opens an athlete in "
            "the workbook in JupyterLab.</p>" if read_only else
            "<p style='margin:2px 0;color:#57606a'>Sort and filter with the controls; pick an athlete and press "
            "<b>Open in the workbook</b> to work on them below the table.</p>")
        self.open_row = widgets.HBox([self.athlete, self.open_button], layout=wrap)
        children = [self.help, widgets.HBox([self.sort, self.only_flags, self.acwr_high, self.no_checkin,
                                             self.reload_button], layout=wrap), self.summary, self.table]
        if not read_only:
            children += [self.open_row, self.workbook_area]
        self._refresh()
        if not read_only and os.environ.get("VOILA_PREHEAT") == "True" and self.athlete.value:
            # a kernel run ahead of the page (make run's app) has the time: the workbook is built, hidden,
            # before the coach asks, so "Open in the workbook" shows it (a switch of athlete at most)
            self._place_workbook(self.athlete.value, hidden=True)
        super().__init__(children, **kwargs)

    @classmethod
    def from_environment(cls, data_dir=None) -> "SquadView":
        """The view a notebook opens: read-only when ``heavylegs squad --serve`` runs it.

        Parameters
        ----------
        data_dir : str or Path, optional
            The data folder (:func:`heavylegs.store.storage.default_data_dir` by default).

        Returns
        -------
        SquadView
            Read-only when ``$HEAVYLEGS_SQUAD_SERVED`` is set (the Voila
            server sets it), with "Open in the workbook" otherwise.
        """
        return cls(data_dir, read_only=bool(os.environ.get(SERVED_SQUAD_ENV)))

    def _refresh(self, _change=None) -> None:
        kept = filter_rows(self.rows, red_flags=self.only_flags.value,
                           acwr_above=ACWR_HIGH if self.acwr_high.value else None,
                           no_checkin_days=NO_CHECKIN_DAYS if self.no_checkin.value else None, today=self.today)
        self.shown = sort_rows(kept, self.sort.value)
        if self.sort.value == "urgency":  # the morning's view: who has not checked in today comes last
            self.shown = not_checked_in_last(self.shown, self.today)
        flagged = sum(1 for r in self.rows if r["red_flags"])
        checked = sum(1 for r in self.rows if checked_in_today(r, self.today))
        broken = sum(1 for r in self.rows if r.get("error"))
        self.summary.value = (f"<p>{len(self.shown)} of {len(self.rows)} athletes shown · {flagged} with a red flag"
                              + (f" · {broken} whose files cannot be read" if broken else "")
                              + f" · {checked} checked in today"
                              + f" · {escape(self.today.isoformat())}</p>")
        self.table.value = squad_table_html(self.shown, self.today)
        options = [(f"{r['name'] or r['athlete_id']} ({r['athlete_id']})", r["athlete_id"]) for r in self.shown]
        current = self.athlete.value
        self.athlete.options = options
        if options:
            self.athlete.value = current if current in [v for _, v in options] else options[0][1]
        self.open_button.disabled = not options

    def reload(self) -> None:
        """Read every athlete's files again (a check-in sent from the portal since) and redraw."""
        self.today = _dt.date.today() if self._follows_today else self.today
        self.rows = squad_rows(self.data_dir, today=self.today)
        self._refresh()

    def _open(self, _button=None) -> None:
        self.open_athlete(self.athlete.value)

    def open_athlete(self, athlete_id: str):
        """Open the athlete's workbook below the table (the workbook opened before switches athlete).

        Returns
        -------
        heavylegs.app.widgets.CoachWorkbook
        """
        if self.read_only:
            raise PermissionError("the served squad view is read-only: open the workbook in JupyterLab")
        if self.workbook is not None and self.workbook.model.state is not None:
            # the workbook already on the page (built ahead, hidden, or opened before): its widgets stay,
            # only what changes is sent; the athlete is read again when another page changed their files
            self.workbook.layout.display = None
            if self.workbook.model.athlete_id != athlete_id or self.workbook.model.changed_on_disk():
                self.workbook.open_athlete(athlete_id)
        else:
            self._place_workbook(athlete_id)
        # one "Athlete" picker on screen: the workbook's own, which lists every athlete
        self.open_row.layout.display = "none"
        return self.workbook

    def _place_workbook(self, athlete_id: str, hidden: bool = False) -> None:
        """Build the athlete's workbook below the table (hidden until "Open in the workbook" when built ahead)."""
        # Imported here, not at the top (tests/test_architecture.py lists it): the served, read-only view
        # never opens a workbook, and the workbook's widgets and plotly cost its page about half a second.
        from heavylegs.app.widgets import CoachWorkbook

        self.workbook = CoachWorkbook(data_dir=self.data_dir, athlete_id=athlete_id)
        if hidden:
            self.workbook.layout.display = "none"
        self.workbook_area.children = (self.workbook,)
