"""`--items` and `--segments` readers, and every bad input as one line (exit 2) before any job runs."""

import builtins

import pytest

from gigs_core.batch.items import read_items, select_items
from gigs_core.batch.jobs import BatchItem, Segment, job_key, job_seed, make_jobs
from gigs_core.batch.segments import read_segments
from gigs_core.errors import DataError, UserInputError
from tests.batch.conftest import run_cli, toy_args


def test_items_from_a_folder_a_csv_and_a_dataset(inputs, tmp_path):
    photos = inputs / "photos"
    assert [item.id for item in read_items(str(photos))] == ["p0", "p1", "p2"]
    (inputs / "items.csv").write_text("path,id,category\nphotos/p1.png,shoe-1,shoes\n"
                                      f"{photos / 'p0.png'},,bags\n")
    shoe, bag = read_items(str(inputs / "items.csv"))
    assert (shoe.id, shoe.category, shoe.source) == ("shoe-1", "shoes", str(inputs / "photos" / "p1.png"))
    assert (bag.id, bag.category, bag.index) == ("p0", "bags", None)
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "items.csv").write_text("item_id,image,category\n10,a.png,hat\n11,b.png,hat\n")
    (folder / "interactions.csv").write_text("user_id,item_id\n")
    for name in ("a", "b"):
        (folder / f"{name}.png").write_bytes((photos / "p0.png").read_bytes())
    dataset_items = read_items(str(folder))
    assert [(item.source, item.index) for item in dataset_items] == [(str(folder), 0), (str(folder), 1)]


def test_only_selects_items_by_id(inputs):
    items = read_items(str(inputs / "photos"))
    assert [item.id for item in select_items(items, "p2, p1,p2")] == ["p2", "p1"]
    with pytest.raises(UserInputError, match="unknown item 'p9'; the items are p0, p1, p2"):
        select_items(items, "p9")


def test_segments_from_a_list_and_a_csv(tmp_path):
    assert read_segments("all, random:3,all") == [Segment("all"), Segment("random:3")]
    (tmp_path / "s.csv").write_text("segment,user_id\nvip,4\nvip,2\nnew,7\nvip,4\n")
    assert read_segments(str(tmp_path / "s.csv")) == [Segment("vip", (2, 4)), Segment("new", (7,))]
    default = [Segment("a")]
    assert read_segments(None, default) == default
    with pytest.raises(UserInputError, match="give --segments"):
        read_segments(None)


def test_jobs_keys_and_seeds_are_stable_and_distinct():
    items = BatchItem("shoe/1", "x.png"), BatchItem("shoe 1", "y.png")
    jobs = make_jobs(items, [Segment("a"), Segment("b")], base_seed=0)
    assert len({job.key for job in jobs}) == len({job.seed for job in jobs}) == 4
    assert jobs[0].key == job_key("shoe/1", "a") and jobs[0].key.startswith("shoe-1--a-")
    assert jobs[0].seed == job_seed(0, "shoe/1", "a") != job_seed(1, "shoe/1", "a")
    assert make_jobs(items[::-1], [Segment("b")], base_seed=0)[1].seed == jobs[2].seed  # order does not matter


CSV_CASES = [
    (b"path,id\nphotos/p0.png,caf\xe9\n", "line 2 is not UTF-8 text; save the file as UTF-8"),
    (b'path,id\n"photos/p0.png,a\n', "is not valid CSV"),
    (b"path,id\nphotos/p0.png,a,extra\n", "line 2 has 3 fields, the header 2"),
    (b"file,id\nphotos/p0.png,a\n", "has columns file, id; it needs path and may have id, category"),
    (b"path,id\nphotos/p0.png,a\nphotos/p1.png,a\n", "line 3 repeats the item id 'a' of line 2"),
    (b"path\nphotos/missing.png\n", "line 2: photo 'photos/missing.png' does not exist"),
    (b"path\n", "lists no items"),
    (b"", "has no header row"),
]


@pytest.mark.parametrize(("content", "message"), CSV_CASES)
def test_bad_items_csv_is_one_line(inputs, content, message):
    (inputs / "items.csv").write_bytes(content)
    with pytest.raises(DataError, match=message.replace("(", r"\(")) as error:
        read_items(str(inputs / "items.csv"))
    assert "\n" not in str(error.value)


SEGMENT_CASES = [
    ("segment,user_id\nvip,1\nempty,\n", "segment 'empty' in .* has no users"),
    ("segment,user_id\nvip,one\n", "line 2: user id 'one' is not a whole number"),
    ("segment,user_id\n,3\n", "line 2 has an empty segment name"),
    ("segment\nvip\n", "it needs segment, user_id"),
]


@pytest.mark.parametrize(("content", "message"), SEGMENT_CASES)
def test_bad_segments_csv_is_one_line(tmp_path, content, message):
    (tmp_path / "segments.csv").write_text(content)
    with pytest.raises(DataError, match=message):
        read_segments(str(tmp_path / "segments.csv"))


def test_a_folder_without_photos(tmp_path):
    with pytest.raises(DataError, match="holds no photos"):
        read_items(str(tmp_path))


def test_duplicate_photo_ids_in_a_folder(inputs):
    (inputs / "photos" / "p1.jpg").write_bytes(b"")
    with pytest.raises(DataError, match="'p1.jpg' and 'p1.png' in .* share the id 'p1'; rename one"):
        read_items(str(inputs / "photos"))


def test_command_line_mistakes_are_one_line_and_exit_2(inputs, tmp_path):
    (tmp_path / "segments.csv").write_text("segment,user_id\nvip,3\nvip,25\n")
    cases = [
        (toy_args(inputs, "--segments", "all"), "give --items"),
        (toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "vip"), "unknown segment 'vip'"),
        (toy_args(inputs, "--items", str(inputs / "photos"), "--segments", str(tmp_path / "segments.csv")),
         "segment 'vip' has user id 25, unknown to the recommender (its users are 0..19)"),
        (toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all", "--only", "p7"),
         "unknown item 'p7'"),
        (["batch", "-g", "toy", "--items", str(inputs / "photos")], "give both --generator and --recommender"),
        (toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all", "-G", "resolution=5"),
         "resolution must be 8, 16, 32 or 64"),
        (toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all", "--workers", "2"),
         "--workers and --ray-address apply to --engine ray only"),
    ]
    for args, message in cases:
        result = run_cli(["batch", *args[1:], "--out", str(tmp_path / "out")])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "out" / "jobs").exists()  # nothing ran


def test_ray_missing_says_how_to_install(inputs, monkeypatch, tmp_path):
    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    result = run_cli(toy_args(inputs, "--items", str(inputs / "photos"), "--segments", "all", "--engine", "ray",
                              "--out", str(tmp_path / "out")))
    assert result.exit_code == 2 and 'pip install "gigs[ray]"' in result.output
    assert not (tmp_path / "out").exists()
