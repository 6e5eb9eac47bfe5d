import io
import os
import pickle

import numpy as np
import pytest
import torch
from data_helpers import jpeg_bytes, write_dvbpr_npy
from PIL import Image

from gigs_core.data import open_dataset
from gigs_core.errors import DataError, UserInputError

TRAIN = [[0, 3, 4], [1, 2], [], [5, 0, 1, 2]]
VALIDATION = [[1], [4], [], [3]]
TEST = [[2], [5], [], [4]]
CATEGORIES = [0, 5, 2, 2, 1, 3]


def _pil_tensor(data: bytes) -> torch.Tensor:
    array = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.float32) / 255.0
    return torch.from_numpy(array).permute(2, 0, 1)


@pytest.fixture
def dvbpr_file(tmp_path):
    jpegs = [jpeg_bytes(seed, size=(20 + seed, 16)) for seed in range(6)]
    path = write_dvbpr_npy(tmp_path / "AmazonTinyImgPartitioned.npy", TRAIN, VALIDATION, TEST, jpegs, CATEGORIES)
    return path, jpegs


@pytest.mark.parametrize("users_as_dict, protocol", [(True, None), (False, None), (True, 2)])
def test_opens_with_exactly_what_was_written(tmp_path, users_as_dict, protocol):
    jpegs = [jpeg_bytes(seed) for seed in range(6)]
    path = write_dvbpr_npy(tmp_path / "d.npy", TRAIN, VALIDATION, TEST, jpegs, CATEGORIES, users_as_dict=users_as_dict,
                           protocol=protocol)
    dataset = open_dataset(path)  # a bare .npy path is the DVBPR format
    assert dataset.num_users == 4 and dataset.num_items == 6
    assert dataset.train == TRAIN
    assert dataset.validation == VALIDATION
    assert dataset.test == TEST
    assert [dataset.category(i) for i in range(6)] == CATEGORIES
    assert len(dataset.category_names) == 6
    for item, data in enumerate(jpegs):
        torch.testing.assert_close(dataset.image(item), _pil_tensor(data), atol=0, rtol=0)
    assert dataset.users_with("train").tolist() == [0, 1, 3]


def test_images_of_different_sizes_need_a_size(dvbpr_file):
    path, jpegs = dvbpr_file
    dataset = open_dataset(f"dvbpr:{path}")
    with pytest.raises(DataError, match="differ in size"):
        dataset.images([0, 1])
    assert dataset.images([0, 1], size=24).shape == (2, 3, 24, 24)


def test_images_are_decoded_lazily(dvbpr_file, monkeypatch):
    import gigs_dvbpr.dataset as module

    calls = []
    original = module.decode_jpeg
    monkeypatch.setattr(module, "decode_jpeg", lambda data: calls.append(1) or original(data))
    dataset = open_dataset(f"dvbpr:{dvbpr_file[0]}")
    assert calls == []
    dataset.image(3)
    assert calls == [1]


def test_corrupt_jpeg_fails_or_is_skipped_and_counted(tmp_path, caplog):
    jpegs = [jpeg_bytes(seed) for seed in range(6)]
    jpegs[2] = b"\xff\xd8\xff\xe0 this is not a jpeg"
    path = write_dvbpr_npy(tmp_path / "bad.npy", TRAIN, VALIDATION, TEST, jpegs, CATEGORIES)
    strict = open_dataset(path)
    with pytest.raises(DataError, match="item 2"):
        strict.image(2)
    assert strict.check_images() == [2]
    lenient = open_dataset(path, on_bad_image="skip")
    with caplog.at_level("WARNING"):
        batch = lenient.images([1, 2, 2, 3])
    assert batch.shape == (4, 3, 16, 20)
    assert lenient.bad_items == {2}
    assert torch.all(batch[1] == 0.5)
    assert sum("skipping item 2" in r.message for r in caplog.records) == 1


def test_item_ids_out_of_range_in_the_file(tmp_path):
    jpegs = [jpeg_bytes(seed) for seed in range(6)]
    path = write_dvbpr_npy(tmp_path / "oor.npy", [[0, 9]], [[1]], [[2]], jpegs, CATEGORIES)
    with pytest.raises(DataError, match="item 9"):
        open_dataset(path)


def test_wrong_layout_is_reported(tmp_path):
    path = tmp_path / "other.npy"
    array = np.empty(2, dtype=object)
    array[0], array[1] = {b"a": 1}, [1, 2]
    np.save(path, array, allow_pickle=True)
    with pytest.raises(DataError, match="not a DVBPR file"):
        open_dataset(path)
    np.save(tmp_path / "plain.npy", np.zeros(3))
    with pytest.raises(DataError):
        open_dataset(tmp_path / "plain.npy")


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch SHOULD_NOT_EXIST",))


def test_a_malicious_pickle_is_refused_not_executed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.npy"
    with open(path, "wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        handle.write(pickle.dumps(np.array([_Evil()], dtype=object), protocol=2))
    with pytest.raises(DataError, match="system"):
        open_dataset(f"dvbpr:{path}")
    assert not (tmp_path / "SHOULD_NOT_EXIST").exists()


def test_out_of_range_item_requests(dvbpr_file):
    dataset = open_dataset(dvbpr_file[0])
    with pytest.raises(UserInputError, match="out of range"):
        dataset.image(6)
