"""The page a notebook is shown in: waiting for it when Voila runs the notebook ahead.

The coach's workbook is served as an app by Voila with preheated kernels
(``make run``, :mod:`heavylegs.serve.workbook_app`): Voila starts a kernel
and runs the notebook *before* anyone asks for the page, so the page is
ready the moment the coach opens it. What only the request knows (the
query string, say ``?athlete=ben``), and what changed on disk since the
kernel ran ahead (unsaved answers another page left as a draft), must be
read when the page is asked for: :func:`wait_for_page` blocks until then.
In JupyterLab, nbval or a Voila without preheated kernels it returns at
once.

Voila's own ``voila.utils.wait_for_request`` does the same, but importing
it imports Voila's server (about 2 s); this asks Voila's request-info
socket directly.
"""
from __future__ import annotations

import json
import os
from urllib.parse import parse_qs

import anywidget
import traitlets
from websockets.sync.client import connect

__all__ = ["wait_for_page", "page_query", "served_by_voila", "PageAddress"]

_PREHEAT = "VOILA_PREHEAT"


def served_by_voila() -> bool:
    """Whether this kernel draws a page Voila serves (the app), not a notebook open in JupyterLab."""
    return _PREHEAT in os.environ  # Voila sets it for every kernel it starts, "False" when not preheated


def wait_for_page(timeout: float = 3600.0) -> dict:
    """Wait for the page request of a preheated Voila kernel; its request info, or {} elsewhere.

    Parameters
    ----------
    timeout : float
        Seconds to wait for the request [s]; a kernel kept in Voila's pool
        waits until a coach opens the page.

    Returns
    -------
    dict
        The request's CGI-like variables (``QUERY_STRING``, ``SERVER_NAME``,
        ``SERVER_PORT``, ``HTTP_HOST``...), also put in ``os.environ`` as
        Voila does; {} when the kernel was not preheated (JupyterLab, nbval,
        Voila without a pool) or Voila's socket did not answer.
    """
    if os.environ.get(_PREHEAT, "False") == "False":
        return {}
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = f"{protocol}://{host}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID', '')}"
    try:
        with connect(url, open_timeout=10) as socket:
            info = json.loads(socket.recv(timeout=timeout))
    except (OSError, TimeoutError, ValueError):
        return {}
    info = {str(k): str(v) for k, v in info.items()} if isinstance(info, dict) else {}
    os.environ.update(info)
    return info


def page_query(info: dict | None = None) -> dict:
    """The page's query parameters, one value each (the last given).

    Parameters
    ----------
    info : dict, optional
        What :func:`wait_for_page` returned. Without it, a kernel Voila
        started for the page (not preheated) reads ``QUERY_STRING`` from its
        environment, where Voila puts it; any other kernel (JupyterLab,
        nbval) has no page query.

    Returns
    -------
    dict
        e.g. ``{"athlete": "ben"}`` for ``?athlete=ben&token=...``; the
        token is left out.
    """
    if info:
        source = info
    elif served_by_voila():  # a kernel Voila started for this page: the query is in its environment
        source = os.environ
    else:
        return {}
    query = parse_qs(source.get("QUERY_STRING", ""), keep_blank_values=False)
    return {key: values[-1] for key, values in query.items() if key != "token"}


_ADDRESS_ESM = """
export default {
  render({ model, el }) {
    el.style.display = "none";
    const follow = () => {
      const athlete = model.get("athlete");
      if (!athlete) return;
      const url = new URL(window.location.href);
      if (url.searchParams.get("athlete") === athlete) return;
      url.searchParams.set("athlete", athlete);
      window.history.replaceState(window.history.state, "", url);
    };
    follow();
    model.on("change:athlete", follow);
    return () => model.off("change:athlete", follow);
  },
};
"""


class PageAddress(anywidget.AnyWidget):
    """A hidden widget that keeps ``?athlete=`` of the page's address on the athlete shown.

    A reload, a bookmark or a copied address then opens the same athlete
    (:func:`page_query` reads it back). Nothing changes while ``athlete`` is
    empty, as in JupyterLab, whose address is its own.
    """

    _esm = _ADDRESS_ESM
    athlete = traitlets.Unicode("").tag(sync=True)
