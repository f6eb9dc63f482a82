"""The light plotly chart: a figure's JSON as its state, nothing sent when it did not change, one plotly.js."""
import datetime as dt

import numpy as np
import plotly.graph_objects as go

from heavylegs.app.plotly_chart import PlotlyChart, PlotlyLibrary, figure_json, plotly_library


def _bars(values):
    return go.Figure(go.Bar(x=["a", "b"], y=list(values), customdata=["x", "y"]),
                     layout={"title": {"text": "t"}})


def test_figure_json_is_plain_json_data_as_plotly_js_reads_it():
    fig = go.Figure(go.Scatter(x=[dt.date(2026, 11, 2)], y=[1.5], customdata=np.array([7.0])))
    data = figure_json(fig)
    assert data["data"][0]["x"] == ["2026-11-02"] and data["data"][0]["y"] == [1.5]
    assert data["data"][0]["customdata"]["dtype"] == "f8"  # NumPy arrays as plotly.js's typed arrays
    assert set(data) >= {"data", "layout"}


def test_a_chart_holds_what_it_shows_and_sends_only_changes():
    chart = PlotlyChart(_bars([1, 2]), width=300)
    assert chart.figure["data"][0]["y"] == [1, 2] and chart.figure["layout"]["width"] == 300
    assert chart.shown.data[0].customdata == ("x", "y")
    sent = []
    chart.observe(lambda change: sent.append(change["new"]), names="figure")
    chart.show(_bars([1, 2]))
    assert sent == []                                     # the same figure: no message
    chart.show(_bars([3, 2]))
    assert len(sent) == 1 and sent[0]["data"][0]["y"] == [3, 2]
    assert chart.get_state()["figure"]["data"][0]["y"] == [3, 2]   # what a page opened later draws


def test_a_click_reaches_the_handlers_with_the_points_customdata():
    chart = PlotlyChart(_bars([1, 2]))
    got = []
    chart.on_click(got.append)
    chart.clicked({"curve": 0, "index": 1, "customdata": "y"})
    assert got == [{"curve": 0, "index": 1, "customdata": "y"}]


def test_one_plotly_js_per_kernel():
    library = plotly_library()
    assert isinstance(library, PlotlyLibrary) and plotly_library() is library
    assert library.source.startswith("/**") and "plotly.js" in library.source[:300]
    library.close()
    assert plotly_library() is not library               # a closed one is replaced
