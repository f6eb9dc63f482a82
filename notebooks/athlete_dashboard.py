# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
athlete_id = "ana"
data_dir = None

# %%
# The athlete's dashboard, served by `heavylegs serve ATHLETE` (Voila hides this
# code) and written by `heavylegs export ATHLETE -o DIR`. The athlete comes from
# the parameters above (papermill), from ?athlete=ID in the address, or from the
# server, which shows one athlete only. heavylegs.views.dashboard builds everything.
from heavylegs.views.dashboard import AthleteDashboard

AthleteDashboard.from_request(data_dir, athlete_id)
