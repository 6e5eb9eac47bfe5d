"""Settings are validated before anything runs: ranges, finiteness, unknown keys."""

import math

import pytest

from gigs_core.config import GigsConfig
from gigs_core.errors import InvalidOptionsError


@pytest.mark.parametrize(
    "section,values,words",
    [
        ("shift", {"eps": math.inf}, "shift.eps"),
        ("shift", {"eps": math.nan}, "shift.eps"),
        ("shift", {"preference_weight": -math.inf}, "shift.preference_weight"),
        ("inversion", {"lr": math.nan}, "inversion.lr"),
        ("shift", {"eps": 0}, "greater than 0"),
        ("shift", {"n": 1}, "greater than or equal to 2"),
        ("shift", {"eps": "big"}, "shift.eps"),
        ("shift", {"epsilon": 0.1}, "Extra inputs"),
    ],
)
def test_bad_settings_are_one_line_errors(section, values, words):
    with pytest.raises(InvalidOptionsError, match=words) as error:
        GigsConfig().merged({section: values})
    assert "\n" not in str(error.value)


def test_good_settings_merge_and_keep_the_rest():
    config = GigsConfig().merged({"shift": {"n": 3, "eps": 0.05}})
    assert (config.shift.n, config.shift.eps, config.shift.steps) == (3, 0.05, GigsConfig().shift.steps)
