import numpy as np
import pytest
import torch
from PIL import Image

from gigs_core.data import open_dataset
from gigs_core.errors import DataError


def _folder(tmp_path, interactions: str, items: str | None = None):
    folder = tmp_path / "shop"
    (folder / "img").mkdir(parents=True)
    rng = np.random.default_rng(0)
    for k in range(5):
        Image.fromarray(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)).save(folder / "img" / f"p{k}.png")
    (folder / "items.csv").write_text(items or (
        "item_id,image,category\n"
        "shoe-a,img/p0.png,shoes\nshirt-b,img/p1.png,tops\nshoe-c,img/p2.png,shoes\n"
        "bag-d,img/p3.png,\nhat-e,img/p4.png,hats\n"))
    (folder / "interactions.csv").write_text(interactions)
    return folder


def test_leave_one_out_by_timestamp(tmp_path):
    folder = _folder(tmp_path, (
        "user_id,item_id,timestamp\n"
        "alice,shoe-a,30\nalice,shirt-b,10\nbob,hat-e,2021-01-02\nalice,shoe-c,20\nalice,bag-d,40\n"
        "bob,shoe-a,2021-01-01\ncarol,bag-d,5\n"))
    dataset = open_dataset(f"csv:{folder}")
    assert dataset.user_keys == ["alice", "bob", "carol"]
    assert dataset.catalogue.item_keys == ["shoe-a", "shirt-b", "shoe-c", "bag-d", "hat-e"]
    # alice by time: shirt-b(10) shoe-c(20) shoe-a(30) bag-d(40)
    assert dataset.train[0] == [1, 2] and dataset.validation[0] == [0] and dataset.test[0] == [3]
    # bob: two interactions → train + test
    assert dataset.train[1] == [0] and dataset.validation[1] == [] and dataset.test[1] == [4]
    # carol: one interaction → train only
    assert dataset.train[2] == [3] and dataset.validation[2] == [] and dataset.test[2] == []
    assert dataset.category_names == ["shoes", "tops", "hats"]
    assert [dataset.category(i) for i in range(5)] == [0, 1, 0, -1, 2]
    expected = np.asarray(Image.open(folder / "img" / "p3.png"), dtype=np.float32) / 255
    torch.testing.assert_close(dataset.image(3), torch.from_numpy(expected).permute(2, 0, 1))


def test_without_timestamps_file_order_is_time(tmp_path):
    folder = _folder(tmp_path, "user_id,item_id\nu,hat-e\nu,shoe-a\nu,shoe-c\n")
    dataset = open_dataset(folder)  # a folder with items.csv
    assert (dataset.train[0], dataset.validation[0], dataset.test[0]) == ([4], [0], [2])


def test_bad_rows_name_the_line(tmp_path):
    unknown = "user_id,item_id\nu,hat-e\nu,nope\n"
    with pytest.raises(DataError, match="line 3.*'nope'"):
        open_dataset(f"csv:{_folder(tmp_path / 'a', unknown)}")
    bad_time = "user_id,item_id,timestamp\nu,hat-e,yesterday\n"
    with pytest.raises(DataError, match="timestamp"):
        open_dataset(f"csv:{_folder(tmp_path / 'b', bad_time)}")
    bad_columns = "user,item\nu,hat-e\n"
    with pytest.raises(DataError, match="lacks column"):
        open_dataset(f"csv:{_folder(tmp_path / 'c', bad_columns)}")
    duplicate = _folder(tmp_path / "d", "user_id,item_id\n", items="item_id,image\na,x.png\na,y.png\n")
    with pytest.raises(DataError, match="appears twice"):
        open_dataset(f"csv:{duplicate}")


def test_missing_image_file_fails_or_is_skipped(tmp_path):
    folder = _folder(tmp_path, "user_id,item_id\nu,hat-e\n")
    (folder / "img" / "p2.png").unlink()
    with pytest.raises(DataError, match="item 2"):
        open_dataset(folder).image(2)
    lenient = open_dataset(folder, on_bad_image="skip")
    assert lenient.images([1, 2]).shape == (2, 3, 8, 8)
    assert lenient.bad_items == {2}
