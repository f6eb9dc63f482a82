"""The page a notebook waits for: nothing to wait for outside Voila's preheated kernels; the query read."""
import json
import threading

import pytest

from heavylegs.app.page import page_query, served_by_voila, wait_for_page


def test_outside_a_preheated_kernel_there_is_nothing_to_wait_for(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert wait_for_page(timeout=0.01) == {}
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    assert wait_for_page(timeout=0.01) == {}


def test_a_preheated_kernel_reads_the_request_from_voilas_socket(monkeypatch):
    """The request info comes over Voila's /voila/query/<kernel id> socket and lands in os.environ."""
    from websockets.sync.server import serve

    seen = []

    def handler(socket):
        seen.append(socket.request.path)
        socket.send(json.dumps({"QUERY_STRING": "athlete=ben&token=t", "SERVER_NAME": "127.0.0.1"}))

    with serve(handler, "127.0.0.1", 0) as server:
        port = server.socket.getsockname()[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_APP_PORT", str(port))
        monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")
        monkeypatch.setenv("VOILA_SERVER_URL", "/base/")
        monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
        # wait_for_page puts the request in os.environ, as Voila does: set them here so they are undone after
        monkeypatch.setenv("QUERY_STRING", "")
        monkeypatch.setenv("SERVER_NAME", "")
        info = wait_for_page(timeout=10)
        server.shutdown()
    assert seen == ["/base/voila/query/k-1"]
    assert info["QUERY_STRING"] == "athlete=ben&token=t"
    assert page_query(info) == {"athlete": "ben"}


def test_a_socket_that_does_not_answer_leaves_the_page_as_it_is(monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", "9")          # nothing listens there
    assert wait_for_page(timeout=1) == {}


@pytest.mark.parametrize("query, expected", [
    ("", {}),
    ("token=abc", {}),
    ("athlete=ben", {"athlete": "ben"}),
    ("athlete=ben&athlete=carla&x=1", {"athlete": "carla", "x": "1"}),
])
def test_page_query_reads_one_value_per_name_without_the_token(query, expected):
    assert page_query({"QUERY_STRING": query}) == expected


def test_only_a_kernel_voila_started_reads_the_query_from_its_environment(monkeypatch):
    """Seen: a QUERY_STRING left in a test's environment made JupyterLab's workbook open another athlete."""
    monkeypatch.setenv("QUERY_STRING", "athlete=ben")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    assert page_query() == {}                          # JupyterLab, nbval: no page
    monkeypatch.setenv("VOILA_PREHEAT", "False")       # a kernel Voila started for the page
    assert page_query() == {"athlete": "ben"}


def test_a_kernel_knows_whether_voila_serves_its_page(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)     # JupyterLab's kernel
    assert served_by_voila() is False
    for value in ("False", "True"):                      # Voila sets it for every kernel, preheated or not
        monkeypatch.setenv("VOILA_PREHEAT", value)
        assert served_by_voila() is True
