"""A plotly figure as a light widget: plotly.js sent once per page, each figure as a few kB of JSON.

plotly's own ``FigureWidget`` carries the whole plotly.js bundle (5 MB) in
the synced state of every figure: the workbook's five figures made 25 MB
to send and five copies of plotly.js to run at every page load, 5 MB more
for every figure rebuilt, and its synced figure stays as it was first
built (a page opened later, such as a reload or the app page, drew the
first refresh). Drawn instead as plotly's JSON output in an ``Output``,
every change redraws the figure from scratch and then renders it once more
as a PNG (the JupyterLab renderer keeps one for saved notebooks): about
0.75 s a figure on a loaded machine.

:class:`PlotlyChart` holds only the figure's JSON (``figure``) and redraws
with ``Plotly.react``, which updates what changed; :class:`PlotlyLibrary`
is one hidden widget per kernel holding plotly.js, which the page runs
once, as a script, for every chart. Clicks on a point come back to Python
(:meth:`PlotlyChart.on_click`).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import anywidget
import plotly.graph_objects as go
import traitlets
from plotly.offline import get_plotlyjs

__all__ = ["PlotlyChart", "PlotlyLibrary", "plotly_library", "figure_json", "PLOTLY_JS_ENV"]

#: Environment variable naming a plotly.js bundle to send instead of the plotly package's full one:
#: ``make run`` names the basic bundle (bar and scatter traces, the workbook's; a quarter of the size
#: and about a third of the time to run in the browser) when it is the version plotly draws for.
PLOTLY_JS_ENV = "HEAVYLEGS_PLOTLY_JS"

_KEY = "__heavylegs_plotly"

_LIBRARY_ESM = """
const KEY = "%s";
export default {
  initialize({ model }) {
    if (globalThis[KEY]) return;
    globalThis[KEY] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = URL.createObjectURL(new Blob([model.get("source")], { type: "text/javascript" }));
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => { delete globalThis[KEY]; reject(new Error("plotly.js did not load")); };
      document.head.appendChild(script);
    });
  },
  render({ el }) { el.style.display = "none"; },
};
""" % _KEY

_CHART_ESM = """
const KEY = "%s";
async function plotly() {
  while (!globalThis[KEY]) await new Promise((r) => setTimeout(r, 20));
  return await globalThis[KEY];
}
export default {
  async render({ model, el }) {
    const Plotly = await plotly();
    const div = document.createElement("div");
    div.className = "hl-plotly-chart";
    el.appendChild(div);
    const draw = () => {
      const fig = model.get("figure") || {};
      return Plotly.react(div, fig.data || [], fig.layout || {},
                          Object.assign({ displaylogo: false }, fig.config || {}));
    };
    await draw();
    div.on("plotly_click", (event) => {
      const point = event && event.points && event.points[0];
      if (point) model.send({ event: "click", curve: point.curveNumber, index: point.pointNumber,
                              customdata: point.customdata === undefined ? null : point.customdata });
    });
    model.on("change:figure", draw);
    return () => { model.off("change:figure", draw); Plotly.purge(div); };
  },
};
""" % _KEY


def figure_json(fig: go.Figure) -> dict:
    """``fig`` as plain JSON data (``data``, ``layout``), as plotly.js reads it.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure

    Returns
    -------
    dict
        ``{"data": [...], "layout": {...}}`` with only JSON types (arrays
        become lists, dates ISO strings).
    """
    return json.loads(fig.to_json(validate=False))


class PlotlyLibrary(anywidget.AnyWidget):
    """plotly.js for the page, run once as a script; shown nowhere (see :func:`plotly_library`)."""

    _esm = _LIBRARY_ESM
    source = traitlets.Unicode("").tag(sync=True)


_LIBRARY: PlotlyLibrary | None = None


def plotly_library() -> PlotlyLibrary:
    """The kernel's one :class:`PlotlyLibrary` (built on first use); put it in any view with charts.

    It holds the plotly package's plotly.js, or the bundle named by
    ``$HEAVYLEGS_PLOTLY_JS`` (:data:`PLOTLY_JS_ENV`).
    """
    global _LIBRARY
    if _LIBRARY is None or _LIBRARY.comm is None:  # closed: build another
        bundle = os.environ.get(PLOTLY_JS_ENV)
        source = Path(bundle).read_text(encoding="utf-8") if bundle else get_plotlyjs()
        _LIBRARY = PlotlyLibrary(source=source)
    return _LIBRARY


class PlotlyChart(anywidget.AnyWidget):
    """One plotly figure, redrawn in place (``Plotly.react``) whenever :meth:`show` gets a new one.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The first figure.
    width : int, optional
        Width [px] given to every figure shown.

    Attributes
    ----------
    shown : plotly.graph_objects.Figure
        The figure shown.
    figure : dict
        Its JSON (:func:`figure_json`), the synced state the page draws.
    """

    _esm = _CHART_ESM
    figure = traitlets.Dict().tag(sync=True)

    def __init__(self, fig: go.Figure, width: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.shown = None
        self._click_handlers = []
        self.on_msg(self._message)
        self.show(fig)

    def show(self, fig: go.Figure) -> None:
        """Draw ``fig`` instead of the figure shown (nothing is sent when it is the same)."""
        if self.width is not None:
            fig.layout.width = self.width
        self.shown = fig
        data = figure_json(fig)
        if data != self.figure:
            self.figure = data

    def on_click(self, callback) -> None:
        """Call ``callback(point)`` when the coach clicks a point.

        ``point`` is a dict: ``curve`` (trace index), ``index`` (point index)
        and ``customdata`` (the point's customdata, or None).
        """
        self._click_handlers.append(callback)

    def clicked(self, point: dict) -> None:
        """Run the click handlers for ``point``, as a click in the page does."""
        for callback in self._click_handlers:
            callback(point)

    def _message(self, _widget, content, _buffers):
        if isinstance(content, dict) and content.get("event") == "click":
            self.clicked({key: content.get(key) for key in ("curve", "index", "customdata")})
