# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["lab-only"]
# *`make run` opens this workbook ready, as an app; here in JupyterLab, run all cells. The guide is
# `docs/workbook.md`.*

# %% tags=["parameters"]
# Which athlete opens first, and where the data lives (`make run ATHLETE=ben` sets these).
import os

athlete_id = os.environ.get("HEAVYLEGS_ATHLETE", "ana")
data_dir = os.environ.get("HEAVYLEGS_DATA_DIR")  # None: the project's data/ folder
lab_url = os.environ.get("HEAVYLEGS_LAB_URL")  # the app links to this notebook in JupyterLab

# %%
from heavylegs.app.widgets import CoachWorkbook

app = CoachWorkbook(data_dir=data_dir, athlete_id=athlete_id, lab_url=lab_url)

# %%
# Served as an app, the cells above ran before the page was asked for: wait for it, then show.
from heavylegs.app.page import wait_for_page

app.page_opened(wait_for_page())
