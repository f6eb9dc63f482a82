"""`make run`'s servers: the app (Voila, kernels run ahead) and JupyterLab, on 127.0.0.1 behind one token.

The servers themselves are driven in Chromium by tests/app/test_workbook_app_browser.py.
"""
from pathlib import Path

from heavylegs.serve.workbook_app import APP_EXTENSIONS, app_command, app_url, lab_command, lab_url


def test_the_app_runs_the_notebooks_ahead_on_loopback_behind_the_token():
    command = app_command(Path("/nb"), 9350, "secret", pool_size=2, python="py")
    assert command[:4] == ["py", "-m", "voila", "/nb"]
    assert {"--port=9350", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--token=secret",
            "--preheat_kernel=True", "--pool_size=2", "--no-browser"} <= set(command)
    # only the widget managers and anywidget: not plotly's 4.8 MB renderer, jupytext or pygments
    allowed = [c.split("=", 1)[1] for c in command if c.startswith("--VoilaConfiguration.extension_allowlist=")]
    assert allowed == list(APP_EXTENSIONS) and "anywidget" in allowed and "jupyterlab-plotly" not in allowed
    # the athlete's dashboard notebook in the same folder gets no kernel run ahead
    assert "--VoilaKernelManager.preheat_denylist=athlete_dashboard.ipynb" in command


def test_without_preheating_voila_starts_a_kernel_per_page():
    command = app_command(Path("/nb"), 9350, "t", preheat=False)
    assert not any(c.startswith(("--preheat_kernel", "--pool_size")) for c in command)


def test_jupyterlab_opens_the_workbook_and_keeps_saved_notebooks_free_of_outputs():
    command = lab_command(Path("/nb"), 9351, "secret", python="py")
    assert command[:3] == ["py", "-m", "jupyterlab"]
    assert {"--ip=127.0.0.1", "--port=9351", "--ServerApp.port_retries=0", "--IdentityProvider.token=secret",
            "--ServerApp.root_dir=/nb", "--LabApp.default_url=/lab/tree/coach_workbook.ipynb",
            "--ContentsManager.pre_save_hook=heavylegs.app.jupyter_hooks.strip_outputs"} <= set(command)


def test_the_printed_addresses():
    assert app_url(8888, "heavylegs") == "http://127.0.0.1:8888/voila/render/coach_workbook.ipynb?token=heavylegs"
    assert app_url(8888, "t", "squad.ipynb", athlete="ben") == \
        "http://127.0.0.1:8888/voila/render/squad.ipynb?token=t&athlete=ben"
    assert lab_url(8889, "t") == "http://127.0.0.1:8889/lab/tree/coach_workbook.ipynb?token=t"


def test_the_app_sends_the_basic_plotly_js_when_it_is_plotlys_own_version():
    from plotly.offline import get_plotlyjs_version

    from heavylegs.serve.server import plotly_js_version
    from heavylegs.serve.workbook_app import BASIC_PLOTLY_JS, plotly_bundle

    assert plotly_js_version(BASIC_PLOTLY_JS) == get_plotlyjs_version()   # refresh it with plotly (PLOTLY-BASIC.md)
    assert plotly_bundle() == BASIC_PLOTLY_JS


def test_a_named_bundle_replaces_the_full_plotly_js(tmp_path, monkeypatch):
    import heavylegs.app.plotly_chart as charts

    bundle = tmp_path / "p.js"
    bundle.write_text("/** plotly.js (basic) v0 */", encoding="utf-8")
    charts.plotly_library().close()                        # the next one is built anew
    monkeypatch.setenv(charts.PLOTLY_JS_ENV, str(bundle))
    library = charts.plotly_library()
    assert library.source == "/** plotly.js (basic) v0 */"
    library.close()
