"""Fitness, fatigue and form (spec/metrics.md reference case)."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from heavylegs.metrics.fitness import FATIGUE_ALPHA, FITNESS_ALPHA, fitness_fatigue


def test_reference_one_day_of_100_au_from_nothing():
    fitness, fatigue, form = fitness_fatigue(100.0)
    assert fitness == pytest.approx(2.353, abs=5e-4)
    assert fatigue == pytest.approx(13.312, abs=5e-4)
    assert form == pytest.approx(fitness - fatigue)
    assert fitness_fatigue([100.0])[0][0] == fitness


def test_decay_after_the_day_array_nan_empty():
    fitness, fatigue, _ = fitness_fatigue([100.0, 0.0, 0.0])
    assert_allclose(fitness, 100 * FITNESS_ALPHA * (1 - FITNESS_ALPHA) ** np.arange(3))
    assert_allclose(fatigue, 100 * FATIGUE_ALPHA * (1 - FATIGUE_ALPHA) ** np.arange(3))
    fitness, _, _ = fitness_fatigue([np.nan, 1.0])
    assert np.isnan(fitness).all()
    assert all(a.shape == (0,) for a in fitness_fatigue([]))
    # A steady load: fitness climbs towards it, fatigue faster.
    fitness, fatigue, form = fitness_fatigue(np.full(42, 100.0))
    assert fatigue[-1] > fitness[-1] and form[-1] < 0
