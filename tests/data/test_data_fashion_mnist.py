from pathlib import Path

import numpy as np
import pytest
import torch
from data_helpers import make_idx_folder, write_idx

from gigs_core.data import open_dataset
from gigs_core.data.fashion_mnist import CATEGORY_NAMES, read_idx
from gigs_core.errors import DataError, UserInputError


@pytest.mark.parametrize("compress", [True, False])
def test_idx_folder_yields_written_pixels_labels_and_partitions(tmp_path, compress):
    pixels, labels = make_idx_folder(tmp_path / "f", n_train=7, n_test=3, compress=compress)
    dataset = open_dataset(f"fashion-mnist:{tmp_path / 'f'}")
    assert dataset.num_items == 10 and dataset.num_users == 0
    assert dataset.category_names == CATEGORY_NAMES
    for item in range(10):
        image = dataset.image(item)
        assert image.shape == (1, 28, 28) and image.dtype == torch.float32
        torch.testing.assert_close(image[0], torch.from_numpy(pixels[item]).float() / 255)
        assert dataset.category(item) == labels[item]
    assert dataset.catalog_split("train").tolist() == list(range(7))
    assert dataset.catalog_split("test").tolist() == [7, 8, 9]
    batch = dataset.images([9, 0])
    torch.testing.assert_close(batch[1, 0], torch.from_numpy(pixels[0]).float() / 255)
    assert dataset.images([1, 2], size=32).shape == (2, 1, 32, 32)


def test_a_bare_folder_path_is_recognised(idx_folder):
    folder, _, _ = idx_folder
    assert open_dataset(str(folder)).num_items == 50


def test_ids_out_of_range_and_unknown_partition(idx_folder):
    dataset = open_dataset(f"fashion-mnist:{idx_folder[0]}")
    for bad in (-1, 50):
        with pytest.raises(UserInputError, match="out of range"):
            dataset.image(bad)
        with pytest.raises(UserInputError, match="out of range"):
            dataset.images([0, bad])
    with pytest.raises(UserInputError, match="partition"):
        dataset.catalog_split("validation")


def test_corrupt_idx_files_raise_data_error(tmp_path):
    folder = tmp_path / "f"
    make_idx_folder(folder, compress=False)
    raw = (folder / "train-images-idx3-ubyte").read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes(raw[:-5])
    with pytest.raises(DataError, match="header promises"):
        open_dataset(f"fashion-mnist:{folder}")
    (folder / "train-images-idx3-ubyte").write_bytes(b"\x12\x34" + raw[2:])
    with pytest.raises(DataError, match="magic"):
        open_dataset(f"fashion-mnist:{folder}")


def test_missing_folder_and_missing_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        open_dataset(f"fashion-mnist:{tmp_path / 'nope'}")
    folder = tmp_path / "f"
    make_idx_folder(folder)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="t10k-labels"):
        open_dataset(f"fashion-mnist:{folder}")


def test_read_idx_round_trip(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(read_idx(write_idx(tmp_path / "x", array)), array)


@pytest.mark.skipif(not Path("/usr/share/datasets/fashion-mnist").is_dir(), reason="Debian's Fashion-MNIST not installed")
def test_debian_location_is_the_default():
    dataset = open_dataset("fashion-mnist")
    assert dataset.num_items == 70000
    assert len(dataset.catalog_split("train")) == 60000
    assert dataset.category_name(0) == "Ankle boot"
