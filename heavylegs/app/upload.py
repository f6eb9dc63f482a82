"""A file upload for the workbook that sends files in pieces, so size is no obstacle.

ipywidgets' ``FileUpload`` sends each file to the kernel in one websocket
message; Jupyter's server drops messages over 10 MB without a word, so a
Strava export of 11 MB or more "vanished". :class:`ChunkedUpload` reads the
file in the browser in slices of :data:`CHUNK_BYTES`, sends one slice at a
time and waits for the kernel to write it to a temporary file before sending
the next, so memory stays at one slice on both sides and the coach sees the
bytes go by. A file over :data:`MAX_UPLOAD_BYTES` is refused in the browser,
before anything is sent, with what to do instead (type its path).
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import anywidget
import traitlets

__all__ = ["ChunkedUpload", "CHUNK_BYTES", "MAX_UPLOAD_BYTES"]

#: Bytes per message: well under the server's 10 MB websocket limit.
CHUNK_BYTES = 4 * 1024 * 1024
#: Largest file the browser may send [bytes]; larger ones are imported by path.
MAX_UPLOAD_BYTES = 2 * 1024 ** 3

_ESM = r"""
function human(bytes) {
  if (bytes >= 1024 * 1024 * 1024) return (bytes / 1024 ** 3).toFixed(2) + " GB";
  if (bytes >= 1024 * 1024) return (bytes / 1024 ** 2).toFixed(1) + " MB";
  return Math.max(1, Math.round(bytes / 1024)) + " kB";
}
function render({ model, el }) {
  const wrap = document.createElement("div");
  wrap.className = "hl-upload";
  const label = document.createElement("label");
  label.className = "jupyter-button hl-upload-button";
  label.style.cssText = "display:inline-flex;align-items:center;gap:6px;padding:0 10px;height:28px;" +
    "cursor:pointer;border:1px solid #bbb;border-radius:2px;background:#eee;font-size:13px";
  const input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = model.get("accept");
  input.style.display = "none";
  input.className = "hl-upload-input";
  const text = document.createElement("span");
  text.textContent = model.get("description");
  label.append(input, text);
  const bar = document.createElement("progress");
  bar.className = "hl-upload-progress";
  bar.max = 1; bar.value = 0;
  bar.style.cssText = "width:160px;margin:0 8px;vertical-align:middle";
  const note = document.createElement("span");
  note.className = "hl-upload-note";
  note.style.cssText = "font-size:12px;color:#444";
  wrap.append(label, bar, note);
  el.append(wrap);

  let waiting = null;   // resolves when the kernel acknowledges a message
  let failed = null;
  let finishedNote = "";
  model.on("msg:custom", (msg) => {
    if (msg.event === "finished") finishedNote = msg.note || "";
    if ((msg.event === "ack" || msg.event === "finished") && waiting) { const w = waiting; waiting = null; w(); }
    if (msg.event === "error") { failed = msg.message; if (waiting) { const w = waiting; waiting = null; w(); } }
  });
  const sendAndWait = (content, buffers) => new Promise((resolve) => {
    waiting = resolve;
    model.send(content, undefined, buffers || []);
  });

  input.addEventListener("change", async () => {
    const files = Array.from(input.files || []);
    input.value = "";
    if (!files.length) return;
    const limit = model.get("max_bytes");
    const chunk = model.get("chunk_bytes");
    const big = files.filter((f) => f.size > limit);
    const ok = files.filter((f) => f.size <= limit);
    failed = null;
    if (big.length) {
      model.send({ event: "too_large", files: big.map((f) => ({ name: f.name, size: f.size })) });
    }
    if (!ok.length) return;
    const total = ok.reduce((a, f) => a + f.size, 0) || 1;
    let sent = 0;
    bar.max = total; bar.value = 0;
    label.style.pointerEvents = "none"; label.style.opacity = "0.5";
    await sendAndWait({ event: "start", count: ok.length, total: total });
    for (let i = 0; i < ok.length && !failed; i++) {
      const f = ok[i];
      await sendAndWait({ event: "begin", index: i, name: f.name, size: f.size });
      for (let offset = 0; offset < f.size && !failed; offset += chunk) {
        const piece = await f.slice(offset, offset + chunk).arrayBuffer();
        await sendAndWait({ event: "chunk", index: i, offset: offset }, [piece]);
        sent += piece.byteLength;
        bar.value = sent;
        note.textContent = "Sending " + f.name + ": " + human(sent) + " of " + human(total);
      }
      if (!failed) await sendAndWait({ event: "end", index: i });
    }
    label.style.pointerEvents = ""; label.style.opacity = "";
    if (failed) { note.textContent = "Upload stopped: " + failed; return; }
    note.textContent = "Sent " + ok.length + " file(s), " + human(sent) + "; importing...";
    // The kernel answers "finished" once the import is over, whatever its outcome, so this
    // line never stays on "importing..."; it then shows the kernel's note (or nothing).
    await sendAndWait({ event: "done" });
    note.textContent = failed ? "Import stopped: " + failed : finishedNote;
  });
  model.on("change:note", () => { if (model.get("note")) note.textContent = model.get("note"); });
}
export default { render };
"""


class ChunkedUpload(anywidget.AnyWidget):
    """A file-upload button that streams files to the kernel in slices.

    Parameters
    ----------
    accept : str
        File endings offered by the browser's picker, e.g. ``".csv,.fit"``.
    description : str
        The button's text.
    max_bytes : int
        Largest file sent [bytes] (:data:`MAX_UPLOAD_BYTES`).
    chunk_bytes : int
        Bytes per message (:data:`CHUNK_BYTES`).

    Notes
    -----
    Register what to do with the files with :meth:`on_upload`; the callback
    gets a list of ``{"name": <the file's own name>, "path": Path}`` while
    the temporary copies exist; they are removed when it returns. Files that
    are too large are passed to the :meth:`on_too_large` callbacks as
    ``{"name", "size"}`` dicts.
    """

    _esm = _ESM
    accept = traitlets.Unicode("").tag(sync=True)
    description = traitlets.Unicode("Upload").tag(sync=True)
    max_bytes = traitlets.Int(MAX_UPLOAD_BYTES).tag(sync=True)
    chunk_bytes = traitlets.Int(CHUNK_BYTES).tag(sync=True)
    #: A line shown beside the button (set by the kernel).
    note = traitlets.Unicode("").tag(sync=True)
    #: Bytes received so far and expected in this upload.
    received = traitlets.Int(0)
    total = traitlets.Int(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._upload_callbacks = []
        self._too_large_callbacks = []
        self._folder = None
        self._files = []
        self._handle = None
        self.on_msg(self._on_message)

    def on_upload(self, callback) -> None:
        """Call ``callback(files)`` once every file of an upload has arrived."""
        self._upload_callbacks.append(callback)

    def on_too_large(self, callback) -> None:
        """Call ``callback(files)`` with the files the browser refused to send."""
        self._too_large_callbacks.append(callback)

    # the protocol (one message at a time, each acknowledged)
    def _on_message(self, _widget, content, buffers):
        event = content.get("event") if isinstance(content, dict) else None
        try:
            if event == "too_large":
                files = [{"name": str(f.get("name", "")), "size": int(f.get("size", 0))}
                         for f in content.get("files", [])]
                for callback in self._too_large_callbacks:
                    callback(files)
                return
            if event == "start":
                self._reset()
                self.note = ""
                self._folder = Path(tempfile.mkdtemp(prefix="heavylegs-upload-"))
                self.total, self.received = int(content.get("total", 0)), 0
            elif event == "begin":
                self._close_file()
                index = int(content["index"])
                # one folder per file keeps its own name even when two share one
                name = Path(str(content.get("name", ""))).name or f"upload-{index}"
                path = self._folder / f"{index:03d}" / name
                path.parent.mkdir()
                self._handle = open(path, "wb")
                self._files.append({"name": name, "path": path})
            elif event == "chunk":
                for buffer in buffers or ():
                    self._handle.write(buffer)
                    self.received += len(buffer)
            elif event == "end":
                self._close_file()
            elif event == "done":
                self._close_file()
                files, folder = self._files, self._folder
                self._files, self._folder = [], None
                try:
                    for callback in self._upload_callbacks:
                        callback(files)
                finally:
                    if folder is not None:
                        shutil.rmtree(folder, ignore_errors=True)
                    # whatever happened, the browser's "importing..." line is replaced
                    self.send({"event": "finished", "note": self.note})
                return
            else:
                return
        except (OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
            self._reset()
            self.send({"event": "error", "message": f"the kernel could not store the file ({exc})"})
            return
        self.send({"event": "ack"})

    def _close_file(self):
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def _reset(self):
        self._close_file()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder, self._files = None, []

    def simulate(self, files, chunk_bytes: int | None = None) -> None:
        """Feed files through the same protocol as the browser (for tests and scripts).

        Parameters
        ----------
        files : sequence of (name, bytes)
            What a coach picked.
        chunk_bytes : int, optional
            Slice size (the widget's own by default).
        """
        chunk = chunk_bytes or self.chunk_bytes
        big = [(n, d) for n, d in files if len(d) > self.max_bytes]
        small = [(n, d) for n, d in files if len(d) <= self.max_bytes]
        if big:
            self._on_message(self, {"event": "too_large", "files": [{"name": n, "size": len(d)} for n, d in big]},
                             [])
        if not small:
            return
        self._on_message(self, {"event": "start", "count": len(small), "total": sum(len(d) for _, d in small)}, [])
        for i, (name, data) in enumerate(small):
            self._on_message(self, {"event": "begin", "index": i, "name": name, "size": len(data)}, [])
            for offset in range(0, len(data), chunk):
                self._on_message(self, {"event": "chunk", "index": i, "offset": offset},
                                 [memoryview(data)[offset:offset + chunk]])
            self._on_message(self, {"event": "end", "index": i}, [])
        self._on_message(self, {"event": "done"}, [])

    def __del__(self):  # pragma: no cover - best effort on kernel shutdown
        try:
            self._reset()
        except Exception:
            pass

