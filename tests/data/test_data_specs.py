import pytest

from gigs_core import extensions
from gigs_core.data import open_dataset, parse_spec
from gigs_core.errors import DataError


def test_unknown_format_lists_the_known_ones(tmp_path):
    weird = tmp_path / "data.xyz"
    weird.write_text("hello")
    for spec in (str(weird), "nonsense", str(tmp_path)):
        with pytest.raises(DataError) as info:
            open_dataset(spec)
        message = str(info.value)
        assert "\n" not in message
        for name in extensions.datasets():
            assert name in message


def test_prefixed_specs_parse():
    assert parse_spec("fashion-mnist") == ("fashion-mnist", None)
    assert parse_spec("fashion-mnist:/x") == ("fashion-mnist", "/x")
    assert parse_spec("dvbpr:a.npy") == ("dvbpr", "a.npy")
    assert parse_spec("b.npy") == ("dvbpr", "b.npy")
    assert parse_spec("u.users.npz") == ("users", "u.users.npz")
    with pytest.raises(DataError, match="needs a folder"):
        open_dataset("csv:")


def test_every_built_in_format_is_registered():
    assert {"fashion-mnist", "csv", "dvbpr", "users"} <= set(extensions.datasets())
