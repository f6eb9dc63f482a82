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
# # Heavy legs: the squad
#
# One row per athlete: red flags first, then the top three causes, the last assessment, the last
# 7 days' load against the average week (and their ratio, the ACWR) in each athlete's load
# metric, heaviness over the last 7 days and its trend, the last check-in. The guide is
# `docs/squad.md`.

# %% tags=["parameters"]
# Where the data lives (`HEAVYLEGS_DATA_DIR`; None: the project's data/ folder).
import os

data_dir = os.environ.get("HEAVYLEGS_DATA_DIR")

# %%
from heavylegs.app.squad_view import SquadView

squad = SquadView.from_environment(data_dir)
squad
