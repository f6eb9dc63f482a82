"""Session-RPE load and the RPE assumed by session type (spec/metrics.md)."""
import math

import numpy as np
from numpy.testing import assert_allclose

from heavylegs.metrics.session import DEFAULT_RPE, assumed_rpe, session_rpe_load


def test_session_rpe_load_scalar_array_nan_empty():
    assert session_rpe_load(6, 50) == 300.0
    assert_allclose(session_rpe_load([6, 3], [50, 40]), [300.0, 120.0])
    assert math.isnan(session_rpe_load(np.nan, 50))
    assert session_rpe_load([], []).shape == (0,)


def test_assumed_rpe_of_every_type_unknown_and_missing():
    assert assumed_rpe("race") == 9.0 and assumed_rpe("recovery") == 2.0
    assert assumed_rpe(None) == 3.0 and assumed_rpe(math.nan) == 3.0 and assumed_rpe("jog") == 3.0
    types = list(DEFAULT_RPE) + [None, np.nan, "unknown"]
    assert_allclose(assumed_rpe(types), [2, 3, 4, 6, 7, 7, 9, 5, 3, 3, 3, 3])
    assert assumed_rpe(np.array([], dtype=object)).shape == (0,)
    assert assumed_rpe(np.array([["easy", "long"]], dtype=object)).shape == (1, 2)
