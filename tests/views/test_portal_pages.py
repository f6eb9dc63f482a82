"""The portal's pages (heavylegs.views.portal_pages): the check-in form, plan, doctor, QR codes."""
import datetime as dt
import re

from heavylegs.views.portal_pages import (checkin_days, checkin_form_html, doctor_page_html, plan_page_html,
                                          qr_png, qr_svg, qr_text, with_portal_nav)

TODAY = dt.date(2026, 12, 6)


def _form(**kwargs):
    args = dict(name="Ana", today=TODAY, day=TODAY, values={}, csrf="c" * 64, recent=[])
    args.update(kwargs)
    return checkin_form_html(**args)


def test_the_form_posts_every_field_without_javascript():
    page = _form()
    assert "<script" not in page
    assert '<form class="hl-checkin" method="post" action="checkin"' in page
    assert f'<input type="hidden" name="csrf" value="{"c" * 64}">' in page
    assert '<input type="hidden" name="date" value="2026-12-06">' in page
    for value in range(11):
        assert f'name="heaviness" id="hl-heaviness-{value}" value="{value}"' in page
    for item in ("sleep_quality", "fatigue", "stress", "soreness"):
        assert re.findall(rf'name="{item}" id="hl-{item}-(\d)"', page) == [str(v) for v in range(1, 8)]
    assert '<select name="sleep_h"' in page and '<option value="7.5">7.5 h</option>' in page
    assert '<textarea name="notes"' in page
    assert 'name="viewport"' in page


def test_refused_fields_are_shown_next_to_them_with_the_values_sent():
    page = _form(values={"heaviness": None, "sleep_quality": "9", "notes": "<b>hi</b>"},
                 refused={"heaviness": "Is unknown, expected a whole number from 0 to 10.",
                          "sleep_quality": "Found 9, expected a whole number from 1 to 7."})
    assert 'id="hl-not-saved"' in page and "2 answers to look at" in page
    heavy = page.index('id="hl-heaviness"')
    assert page.index('id="hl-heaviness-refused"') > heavy
    assert page.index('id="hl-heaviness-refused"') < page.index('id="hl-heaviness-0"')
    assert "Found 9, expected a whole number from 1 to 7." in page
    assert "&lt;b&gt;hi&lt;/b&gt;" in page and "<b>hi</b>" not in page
    assert 'id="hl-saved"' not in page


def test_saved_and_the_last_check_ins():
    recent = [{"date": "2026-12-06", "heaviness": 6, "sleep_h": 7.5, "hooper": 14, "notes": "hills", "source": "portal"},
              {"date": "2026-11-20", "heaviness": 3, "sleep_h": None, "hooper": None, "notes": None, "source": None}]
    page = _form(saved="2026-12-06", recent=recent, values={"heaviness": 6})
    assert 'id="hl-saved"' in page and "Saved" in page
    assert 'id="hl-heaviness-6" value="6" checked' in page
    table = page[page.index('id="hl-recent"'):]
    assert '<a href="checkin?date=2026-12-06">Today</a>' in table
    assert "hills" in table and "checkin?date=2026-11-20" not in table  # too old to correct


def test_the_days_that_can_be_checked_in():
    days = checkin_days(TODAY)
    assert days[0] == TODAY and days[-1] == dt.date(2026, 11, 30) and len(days) == 7
    page = _form(day=dt.date(2026, 12, 3))
    assert 'href="checkin?date=2026-12-03" aria-current=date' in page
    assert "Yesterday" in page


def test_plan_and_doctor_pages_without_a_plan_or_a_reason():
    content = {"name": "Ana", "unit": "km", "plan": None, "doctor": None}
    assert 'id="hl-no-plan"' in plan_page_html(content)
    assert 'id="hl-no-doctor"' in doctor_page_html(content)
    assert doctor_page_html({**content, "doctor": "<html>doctor</html>"}) == "<html>doctor</html>"


def test_the_dashboard_gets_the_portal_navigation():
    page = "<!DOCTYPE html><html><head><title>x</title></head><body><p>board</p></body></html>"
    out = with_portal_nav(page)
    assert out.index('<nav class="hl-nav"') > out.index("<body>")
    assert 'href="checkin"' in out and 'href="plan"' in out and 'href="doctor"' in out
    assert with_portal_nav("no body") == "no body"


def test_qr_codes_hold_the_link(tmp_path):
    link = "https://team.example.org/legs/a/" + "A" * 32 + "/"
    path = tmp_path / "ana.png"
    qr_png(link, path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    text = qr_text(link)
    assert "█" in text and len(text.splitlines()) > 15
    assert qr_svg(link).startswith("<svg")
    # version 4 with level M holds up to 62 bytes: a link this long needs a bigger code
    from heavylegs.views.portal_pages import qr_code

    assert qr_code(link).version >= 4 and qr_code(link).error == "M"
