"""What a user reads on a screen, checked in the browser: nothing cut, no internal words.

Shared by the browser tests of the workbook, the athlete dashboard and the squad view (issue 17).
"""
from __future__ import annotations

import re

#: JavaScript returning the texts the page shows cut: a label, button or cell whose text is
#: wider than its box while the box hides the rest (ellipsis or overflow), or a drop-down whose
#: chosen text is wider than the drop-down. Hidden elements (width 0) are skipped.
CUT_JS = """() => {
  const out = [];
  const ctx = document.createElement('canvas').getContext('2d');
  for (const el of document.querySelectorAll('*')) {
    if (el.children.length > 0 && el.tagName !== 'SELECT' && el.tagName !== 'BUTTON') continue;
    const text = ((el.tagName === 'SELECT' ? (el.options[el.selectedIndex] || {}).text : el.innerText) || '').trim();
    if (!text) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    let cut = false;
    if (el.tagName === 'SELECT') {
      ctx.font = style.font;
      cut = ctx.measureText(text).width + 28 > el.clientWidth + 1;
    } else if (style.overflowX !== 'visible' || style.textOverflow === 'ellipsis') {
      cut = el.scrollWidth > el.clientWidth + 1;
    }
    if (cut) out.push(text.slice(0, 60));
  }
  return [...new Set(out)];
}"""

#: Words that belong to the project's files, never to a user's screen.
_INTERNAL = [re.compile(p) for p in (r"spec/\w", r"an extension of", r"\bRun all cells\b", r"\bNone\b",
                                     r"\b[a-z]+_[a-z_]+\b")]
#: Literature citations: the coach's view names them, the athlete's phone says it in plain words.
_MONTHS = ("Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|"
           "August|September|October|November|December")
_CITATION = re.compile(rf"\b(?!(?:{_MONTHS})\b)[A-Z][a-z]+(?: et al\.?)? \(?(?:19|20)\d\d\)?")


def cut_texts(page) -> list:
    """The texts the page shows cut (:data:`CUT_JS`)."""
    return page.evaluate(CUT_JS)


def internal_words(text: str, allowed=()) -> list:
    """Internal words in ``text``: file paths of the spec, cause or field ids (``snake_case``), "None"."""
    found = []
    for pattern in _INTERNAL:
        found += [m.group(0) for m in pattern.finditer(text) if m.group(0) not in allowed]
    return found


def citations(text: str) -> list:
    """Literature citations ("Gabbett 2016", "Foster et al. 2001") in ``text``."""
    return [m.group(0) for m in _CITATION.finditer(text)]
