import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gigs_core.data import open_dataset
from gigs_core.errors import DataError, UserInputError
from gigs_core.testing import LinearRecommenderContract
from gigs_synthetic.attributes import ATTRIBUTES, image_attributes
from gigs_synthetic.users import SEGMENTS, SyntheticUsers, synthesize_users


def _attr(images, name, **kw):
    return image_attributes(images, **kw)[:, ATTRIBUTES.index(name)]


def _box(top, left, h, w, value=1.0, size=28):
    image = torch.zeros(1, 1, size, size)
    image[..., top:top + h, left:left + w] = value
    return image


def test_attributes_known_answers():
    tall, wide = _box(2, 11, 24, 6), _box(11, 2, 6, 24)
    assert _attr(tall, "aspect") > 1.0 and _attr(wide, "aspect") < -1.0
    assert _attr(_box(16, 4, 10, 20), "vertical_mass") > 0.3 and _attr(_box(2, 4, 10, 20), "vertical_mass") < -0.3
    centred, shifted = _box(4, 4, 20, 20), _box(4, 0, 20, 14)
    assert _attr(centred, "symmetry") > 0.99 and _attr(shifted, "symmetry") < 0.8
    torch.testing.assert_close(_attr(_box(4, 4, 20, 20, 0.6), "darkness"), torch.tensor([0.6]), atol=1e-3, rtol=0)
    # the soft mask gives empty background a small floor (σ(−10/3) ≈ 0.034 per pixel)
    assert _attr(_box(4, 4, 20, 20), "area") == pytest.approx(400 / 784 + 0.034 * 384 / 784, abs=0.005)
    assert _attr(_box(4, 4, 20, 20), "area") > _attr(_box(8, 8, 12, 12), "area") + 0.2
    flat = _box(4, 4, 20, 20, 0.7)
    striped = flat.clone()
    striped[..., ::2, :] *= 0.3
    assert _attr(striped, "texture") > 4 * _attr(flat, "texture")  # the flat box only has edge gradients
    assert _attr(striped, "contrast") > _attr(flat, "contrast") + 0.1


def test_attributes_any_size_channels_background_and_differentiable():
    grey = torch.cat([_box(2, 11, 24, 6, 0.8), _box(4, 4, 20, 20, 0.5), _box(16, 4, 10, 20)])
    rgb_big = torch.nn.functional.interpolate(grey, size=112, mode="nearest").expand(-1, 3, -1, -1)
    torch.testing.assert_close(image_attributes(rgb_big), image_attributes(grey), atol=0.1, rtol=0.05)  # up to resampling blur
    torch.testing.assert_close(image_attributes(1 - grey, background="light"), image_attributes(grey), atol=1e-5, rtol=1e-5)
    images = torch.rand(2, 3, 64, 64, requires_grad=True)
    image_attributes(images).sum().backward()
    assert torch.isfinite(images.grad).all() and images.grad.abs().sum() > 0
    assert torch.isfinite(image_attributes(torch.zeros(1, 1, 28, 28))).all()


def test_synthetic_users_are_deterministic_by_seed(idx_folder):
    dataset = open_dataset(f"fashion-mnist:{idx_folder[0]}")
    a = synthesize_users(dataset, num_users=30, interactions_per_user=5, seed=3)
    b = synthesize_users(dataset, num_users=30, interactions_per_user=5, seed=3)
    c = synthesize_users(dataset, num_users=30, interactions_per_user=5, seed=4)
    assert np.array_equal(a.weights, b.weights) and np.array_equal(a.segments, b.segments)
    assert a.train == b.train and a.validation == b.validation and a.test == b.test
    assert not np.array_equal(a.weights, c.weights) and a.train != c.train
    pool = set(dataset.catalog_split("train").tolist())
    for u in range(30):
        items = a.train[u] + a.validation[u] + a.test[u]
        assert len(items) == len(set(items)) == 5 and set(items) <= pool
    assert set(a.segment_names) == set(SEGMENTS)


def test_cold_choices_are_the_highest_utility_items(idx_folder, tmp_path):
    dataset = open_dataset(f"fashion-mnist:{idx_folder[0]}")
    users = synthesize_users(dataset, num_users=6, interactions_per_user=1, temperature=1e-3, seed=0)
    path = users.save(tmp_path / "cold")
    from gigs_synthetic.recommender import GroundTruthRecommender

    truth = GroundTruthRecommender.from_file(path)
    pool = dataset.catalog_split("train")
    with torch.no_grad():
        utility = truth.score(dataset.images(pool), torch.arange(6))
    for u in range(6):
        assert users.train[u] == [int(pool[int(utility[:, u].argmax())])]


def test_users_file_round_trip_and_reopens_as_a_dataset(idx_folder, tmp_path):
    spec = f"fashion-mnist:{idx_folder[0]}"
    users = synthesize_users(open_dataset(spec), num_users=12, interactions_per_user=4, seed=1, spec=spec)
    path = users.save(tmp_path / "u.npz")
    assert path.name == "u.users.npz"
    again = SyntheticUsers.load(path)
    assert np.array_equal(again.weights, users.weights) and again.train == users.train and again.test == users.test
    dataset = open_dataset(f"users:{path}")
    assert dataset.num_users == 12 and dataset.num_items == 50
    assert dataset.train == users.train and dataset.validation == users.validation
    assert open_dataset(path).num_users == 12


def test_bad_users_files_and_arguments(idx_folder, tmp_path):
    np.savez(tmp_path / "x.users.npz", a=np.zeros(2))
    with pytest.raises(DataError, match="not a gigs users file"):
        open_dataset(tmp_path / "x.users.npz")
    dataset = open_dataset(f"fashion-mnist:{idx_folder[0]}")
    with pytest.raises(UserInputError, match="segment"):
        synthesize_users(dataset, num_users=2, segments=["goth"])
    with pytest.raises(UserInputError, match="exceeds"):
        synthesize_users(dataset, num_users=2, interactions_per_user=41)


def test_synth_users_command(idx_folder, tmp_path):
    from gigs_core.cli.main import cli

    out = tmp_path / "cli.users.npz"
    args = ["data", "synth-users", "--data", f"fashion-mnist:{idx_folder[0]}", "--users", "9", "--interactions", "4",
            "--seed", "5", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert SyntheticUsers.load(out).num_users == 9
    info = CliRunner().invoke(cli, ["data", "info", f"users:{out}"])
    assert info.exit_code == 0 and '"users": 9' in info.output
    bad = CliRunner().invoke(cli, ["data", "synth-users", "--data", "nowhere.xyz", "--out", str(tmp_path / "n")])
    assert bad.exit_code == 2 and "known formats" in bad.output


class TestGroundTruthRecommender(LinearRecommenderContract):
    @pytest.fixture(autouse=True)
    def _users_file(self, tmp_path_factory):
        from data_helpers import make_idx_folder

        folder = tmp_path_factory.mktemp("gt")
        make_idx_folder(folder / "f", n_train=20, n_test=5)
        spec = f"fashion-mnist:{folder / 'f'}"
        self.path = synthesize_users(open_dataset(spec), num_users=7, interactions_per_user=3, spec=spec).save(folder / "u")

    def make_recommender(self):
        from gigs_core import create_recommender

        return create_recommender("ground-truth", users=str(self.path))

    def test_scores_are_the_true_utility(self):
        recommender = self.make_recommender()
        users = SyntheticUsers.load(self.path)
        images = torch.rand(4, 1, 28, 28)
        expected = users.standardise(image_attributes(images)) @ torch.from_numpy(users.weights).T
        torch.testing.assert_close(recommender.score(images, torch.arange(7)), expected)
        segment = users.segment_names[int(users.segments[0])]
        assert 0 in recommender.users_in_segment(segment).tolist()

    def test_missing_users_file_is_an_option_error(self, tmp_path):
        from gigs_core import create_recommender
        from gigs_core.errors import InvalidOptionsError

        with pytest.raises(InvalidOptionsError, match="does not exist"):
            create_recommender("ground-truth", users=str(tmp_path / "none.users.npz"))
