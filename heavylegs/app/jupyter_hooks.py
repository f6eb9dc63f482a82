"""A Jupyter server hook that keeps the committed notebooks free of outputs.

``make run`` starts JupyterLab with
``--ContentsManager.pre_save_hook=heavylegs.app.jupyter_hooks.strip_outputs``, so
when a coach (or autosave) saves ``coach_workbook.ipynb`` the file on disk keeps
its cells but drops outputs, execution counts and the saved widget state. What
the coach entered is not in the notebook anyway: answers are saved as dated
assessments in the athlete's folder.
"""
from __future__ import annotations

__all__ = ["strip_outputs"]

_VOLATILE_METADATA = ("widgets", "execution")


def strip_outputs(model: dict, **kwargs) -> None:
    """Remove outputs from a notebook contents model, in place, before it is saved.

    Parameters
    ----------
    model : dict
        A Jupyter contents model (``{"type": "notebook", "content": {...}}``);
        models of other types are left alone.
    **kwargs
        ``path`` and ``contents_manager``, passed by the server and unused.
    """
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    for key in _VOLATILE_METADATA + ("language_info",):  # language_info names the local Python
        notebook.get("metadata", {}).pop(key, None)
    for cell in notebook.get("cells", []):
        for key in _VOLATILE_METADATA:
            cell.get("metadata", {}).pop(key, None)
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
