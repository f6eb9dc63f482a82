"""Haversine distance along a track."""
import math

import numpy as np
from numpy.testing import assert_allclose

from heavylegs.metrics.distance import EARTH_RADIUS_M, cumulative_distance


def test_haversine_uses_the_mean_earth_radius():
    assert_allclose(cumulative_distance([0, 1], [0, 0]), [0, 6_371_008.8 * math.pi / 180])
    assert EARTH_RADIUS_M == 6_371_008.8


def test_along_the_equator_accumulates_one_position_and_empty():
    assert_allclose(cumulative_distance([0, 0, 0], [0, 1, 3]), [0, 1, 3] * np.array(EARTH_RADIUS_M * math.pi / 180))
    assert_allclose(cumulative_distance([45.0], [7.0]), [0.0])
    assert cumulative_distance([], []).shape == (0,)
    assert np.isnan(cumulative_distance([0, np.nan, 0], [0, 0, 0])[1:]).all()
