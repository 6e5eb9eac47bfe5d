import pytest
import torch

from gigs_core.errors import UserInputError
from gigs_core.method.users import resolve_users


@pytest.mark.parametrize(
    "spec,expected",
    [("all", [0, 1, 2, 3]), ("2", [2]), (3, [3]), ("3, 1", [1, 3]), ([0, 2, 2], [0, 2])],
)
def test_specs(spec, expected):
    assert resolve_users(spec, 4).tolist() == expected


def test_random_sample_is_distinct_seeded_and_sized():
    first = resolve_users("random:5", 50, seed=1)
    assert len(set(first.tolist())) == 5 and first.max() < 50
    assert torch.equal(first, resolve_users("random:5", 50, seed=1))
    assert not torch.equal(first, resolve_users("random:5", 50, seed=2))


@pytest.mark.parametrize("spec", ["", "x", "random:0", "random:9", "5", "-1", [], "1,,a"])
def test_bad_specs_raise_clear_errors(spec):
    with pytest.raises(UserInputError):
        resolve_users(spec, 4)
