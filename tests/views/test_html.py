"""HTML fragments of the check-ins: patterns in words and the follow-up of a plan."""
from heavylegs.analysis.patterns import FACTS
from heavylegs.views.html import follow_up_html, patterns_html

_EXPOSED = {fact.id: fact.exposed for fact in FACTS}


def _pattern(pid, reported, **kw):
    """A row as heavylegs.analysis.patterns.find_patterns writes it."""
    row = {"id": pid, "exposed": _EXPOSED[pid], "reported": reported, "n_exposed": 9, "n_other": 38, "mean_exposed": 6.4,
           "mean_other": 3.1, "delta": 3.3, "p": 0.0004, "because": f"{pid} <because>",
           "window_checkins": 47, "checkins_needed": 0}
    row.update(kw)
    return row


def test_patterns_html_reported_first_and_not_seen_folded_escaped():
    html = patterns_html([_pattern("after_strength", True),
                          _pattern("after_race", False, p=None, n_exposed=0, mean_exposed=None),
                          _pattern("after_short_sleep", False, mean_exposed=3.4, mean_other=3.2, p=0.6)])
    assert html.startswith('<section class="hl-patterns" id="hl-patterns"><h2>What comes before the heavy days')
    assert "<li>after_strength &lt;because&gt;</li>" in html and "<because>" not in html
    assert html.index("after_strength") < html.index("<summary>Not seen (2)</summary>")
    assert "<li>after_short_sleep &lt;because&gt;</li>" in html  # the coach sees the full reason


def test_patterns_html_for_the_athlete_uses_plain_words():
    html = patterns_html([_pattern("after_short_sleep", False, mean_exposed=3.4, mean_other=3.2, p=0.6),
                          _pattern("after_race", False, p=None, n_exposed=0, mean_exposed=None)], detail=False)
    assert ("<li>After a night of less than 7 h: 3.4, against 3.2 on other days (9 and 38 check-ins), "
            "not a clear pattern.</li>") in html
    assert "<li>On the three days after a race: too few such days to compare (0 and 38 check-ins).</li>" in html
    assert "No clear pattern" in html and "p =" not in html


def test_patterns_html_says_how_many_more_check_ins_are_needed():
    html = patterns_html([_pattern("after_strength", False, window_checkins=20, checkins_needed=1)])
    assert "20 check-ins so far; 1 more check-in is needed before a pattern can be reported." in html
    assert "No check-ins yet" in patterns_html([]) and "No check-ins yet" in patterns_html(None)


def test_follow_up_html():
    ready = {"plan_start": "2026-11-17", "ready": True, "change": -2.3,
             "text": "heaviness 6.2 → 3.9 since the plan began (−2.3; 14 and 9 check-ins)"}
    html = follow_up_html(ready)
    assert "Since the plan began on 17 Nov 2026, the legs feel lighter." in html
    assert "<strong>heaviness 6.2 → 3.9 since the plan began (−2.3; 14 and 9 check-ins)</strong>" in html
    early = follow_up_html({"plan_start": "2026-11-17", "ready": False, "change": None, "text": "3 more <x>"})
    assert "too early to tell" in early and "3 more &lt;x&gt;" in early
    assert follow_up_html(None) == ""


# --- distances and paces in the athlete's unit ------------------------------------------------

import pytest  # noqa: E402

from heavylegs.views.html import in_unit, pace_text  # noqa: E402


@pytest.mark.parametrize("km,mi", [
    ("weekly distance rose to 68.0 km", "weekly distance rose to 42.3 mi"),       # 68 / 1.609344 = 42.25
    ("easy runs at 5:30 min/km", "easy runs at 8:51 min/mi"),                     # 330 s × 1.609344 = 531 s
    ("4:00/km on the track", "6:26 min/mi on the track"),                         # 240 s × 1.609344 = 386 s
    ("replace them at 500-800 km", "replace them at 311-497 mi"),
    ("10 to 12 km", "6.2 to 7.5 mi"),
    ("a 5 km loop", "a 3.1 mi loop"),                                             # below 10: one decimal
    ("1,100 km on the pair", "684 mi on the pair"),
    ("1100.0 km on the current pair", "683.5 mi on the current pair"),
    ("a 42.195 km race", "a 26.219 mi race"),
    ("at 12 km/h", "at 7.5 mph"),
    ("Distance [km]", "Distance [mi]"),
    ("pace [min/km]", "pace [min/mi]"),
])
def test_in_unit_known_values(km, mi):
    assert in_unit(km, "mi") == mi
    assert in_unit(km, "km") == km


@pytest.mark.parametrize("text", ["61.0 kg", "weekly_distance_km is 40", "5 kmh", "3 kcal per km?", "",
                                  "stress rated 5 of 7", "1.5 × the median"])
def test_in_unit_leaves_other_text_alone(text):
    assert in_unit(text, "mi") == text


def test_in_unit_examples_run():
    import doctest

    import heavylegs.views.html

    assert doctest.testmod(heavylegs.views.html).failed == 0


def test_in_unit_of_none_is_empty():
    assert in_unit(None, "mi") == ""


def test_pace_text():
    assert pace_text(330) == "5:30 min/km"
    assert pace_text(330, "mi") == "8:51 min/mi"
    assert pace_text(299.6) == "5:00 min/km"  # rounded to the second
    assert pace_text(None, "mi") == ""


def test_load_summary_counts_only_the_estimates_of_the_metric_in_use():
    from heavylegs.views.html import load_summary_html

    summary = {"metric": "srpe", "requested": "auto", "why": "most sessions have an RPE", "thresholds": {},
               "sessions": 90, "estimated": {"hr_calibrated": 6, "session_type": 1, "hr_from_average": 80},
               "missing": 0, "hr_max_note": None}
    text = load_summary_html(summary)
    assert "7 of 90 sessions estimated" in text and "average heart rate" not in text
    text = load_summary_html(dict(summary, metric="trimp"))
    assert "80 of 90 sessions estimated" in text and "calibrated" not in text


def test_the_red_flag_note_beside_a_question_says_how_urgent_and_what_to_do():
    from heavylegs.views.html import red_flag_note_html

    assert red_flag_note_html([]) == ""
    note = red_flag_note_html([{"id": "x", "urgency": "emergency", "title": "A hot, swollen calf",
                                "reason": "r", "action": "Get help <now>"}])
    assert "EMERGENCY" in note and "A hot, swollen calf" in note and "Get help &lt;now&gt;" in note


def test_the_restored_draft_note_gives_the_time_and_both_choices():
    import datetime as dt

    from heavylegs.views.html import draft_note_html

    today = dt.date(2026, 11, 20)
    note = draft_note_html({"updated": "2026-11-20T10:42:07", "newer_save": None}, today=today)
    assert "Unsaved answers from 10:42, restored: Save or Discard." in note
    older = draft_note_html({"updated": "2026-11-18T09:05:00", "newer_save": "2026-11-19T080000.json"},
                            today=today)
    assert "from 18 Nov 2026 09:05" in older and "2026-11-19T080000.json" in older


def test_the_acwr_sentence_names_the_band_and_the_rule_the_chart_draws(monkeypatch):
    from heavylegs.views import html

    text = html.acwr_sentence()
    assert "green band (0.8 to 1.3)" in text and "red dashed line (1.5)" in text
    # the line follows the catalogue's rule, not a second constant
    monkeypatch.setattr(html, "rule_threshold", lambda field: 1.6 if field == "log_acwr" else None)
    assert "red dashed line (1.6)" in html.acwr_sentence()
