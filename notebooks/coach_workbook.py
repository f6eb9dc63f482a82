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

# %% [markdown]
# # Heavy legs: coach workbook
#
# Run all cells (Run ▸ Run All Cells). Then:
#
# 1. pick an athlete, or type a new id and press **New athlete**;
# 2. answer what you know in the sections on the left; leave the rest **unknown**
#    (unknown is never counted as "no" or 0);
# 3. read the ranking on the right: hover a bar or pick a cause under **Explain** for the
#    evidence in the athlete's own numbers; red flags appear in a banner at the top;
# 4. upload a training log or activity files (CSV, FIT, GPX, TCX, a Strava export zip) to see
#    the weekly load chart and let the log join the evidence;
# 5. press **What-if** to try answers without changing the saved ones;
# 6. press **Save assessment** to keep a dated copy of the answers and the ranking.
#
# Nothing is written to the data folder until you save or upload. This is coaching support,
# not a diagnosis. The guide is `docs/workbook.md`.

# %% tags=["parameters"]
# Which athlete opens first, and where the data lives (`make run ATHLETE=ben` sets these).
import os

athlete_id = os.environ.get("HEAVYLEGS_ATHLETE", "ana")
data_dir = os.environ.get("HEAVYLEGS_DATA_DIR")  # None: the project's data/ folder

# %%
from heavylegs.app.widgets import CoachWorkbook

app = CoachWorkbook(data_dir=data_dir, athlete_id=athlete_id)
app
