import pytest
import torch

from gigs_core import create_recommender
from gigs_core.errors import CheckpointError, UserInputError
from gigs_core.testing import LinearRecommenderContract, SaveLoadContract
from gigs_dvbpr.checkpoints import load_dvbpr, save_dvbpr
from gigs_dvbpr.model import DVBPR, _same_pad


class TestDvbprSmall(LinearRecommenderContract, SaveLoadContract):
    def make_recommender(self):
        return create_recommender("dvbpr", variant="cnnf-small", num_users=6, k=16)

    def reload(self, model, folder):
        return create_recommender("dvbpr", checkpoint=save_dvbpr(model, folder / "r.safetensors"))


class TestDvbprOriginal(LinearRecommenderContract):
    _cached = None

    def make_recommender(self):
        # the full CNN-F has 58 M parameters: build it once for the whole class
        if TestDvbprOriginal._cached is None:
            TestDvbprOriginal._cached = create_recommender("dvbpr", num_users=3, k=8)
        return TestDvbprOriginal._cached

    def test_original_geometry(self):
        model = self.make_recommender()
        assert model.variant == "cnnf" and model.input_size == 224
        assert model.cnn.flat == 7 * 7 * 256
        shapes = {name: tuple(p.shape) for name, p in model.cnn.named_parameters()}
        assert shapes["conv1.weight"] == (64, 3, 11, 11)
        assert shapes["conv2.weight"] == (256, 64, 5, 5)
        assert shapes["conv5.weight"] == (256, 256, 3, 3)
        assert shapes["fc1.weight"] == (4096, 7 * 7 * 256)
        assert shapes["fc2.weight"] == (4096, 4096)
        assert shapes["fc3.weight"] == (8, 4096)
        assert all(float(p.detach().abs().sum()) == 0 for n, p in model.cnn.named_parameters() if n.endswith("bias"))
        assert float(model.theta.detach().min()) >= 0 and float(model.theta.detach().max()) <= 0.01


def test_tf_same_padding_matches_tensorflow_rule():
    assert _same_pad(224, 11, 4) == (3, 4)  # out 56
    assert _same_pad(56, 5, 1) == (2, 2)
    assert _same_pad(7, 3, 1) == (1, 1)


def test_dropout_only_in_training():
    model = DVBPR(2, k=4, variant="cnnf-small")
    images = torch.rand(3, 3, 32, 32)
    model.eval()
    with torch.no_grad():
        assert torch.equal(model.features(images), model.features(images))
    model.train()
    with torch.no_grad():
        assert not torch.equal(model.features(images), model.features(images))


def test_normalizations_and_input_range():
    model = DVBPR(1, k=4, variant="cnnf-small", normalization="dvbpr")
    x = torch.rand(1, 3, 32, 32)
    torch.testing.assert_close(model.preprocess(x), (255 * x - 127.5) / 127.5)
    aip = DVBPR(1, k=4, variant="cnnf-small", normalization="aip")
    mean = torch.tensor([0.6949, 0.6748, 0.6676]).view(1, 3, 1, 1)
    std = torch.tensor([0.3102, 0.3220, 0.3252]).view(1, 3, 1, 1)
    torch.testing.assert_close(aip.preprocess(x), (x - mean) / std)


def test_own_checkpoint_round_trip(tmp_path):
    model = DVBPR(5, k=12, variant="cnnf-small", input_size=48, normalization="unit").eval()
    path = save_dvbpr(model, tmp_path / "m")
    loaded = create_recommender("dvbpr", checkpoint=str(path))
    assert (loaded.num_users, loaded.k, loaded.variant, loaded.input_size, loaded.normalization) == (5, 12, "cnnf-small", 48, "unit")
    images = torch.rand(2, 3, 40, 40)
    with torch.no_grad():
        torch.testing.assert_close(loaded.score(images, torch.arange(5)), model.score(images, torch.arange(5)))


def test_checkpoint_of_another_architecture_lists_keys(tmp_path):
    from gigs_core.checkpoints import save_checkpoint

    model = DVBPR(2, k=4, variant="cnnf-small")
    state_model = torch.nn.Module()
    state_model.theta = torch.nn.Parameter(torch.zeros(2, 4))
    state_model.head = torch.nn.Linear(3, 3)
    path = save_checkpoint(state_model, {**model.config()}, tmp_path / "other")
    with pytest.raises(CheckpointError) as info:
        load_dvbpr(path)
    message = str(info.value)
    assert "missing keys" in message and "cnn.conv1.weight" in message and "head.weight" in message


def test_bad_options_and_users():
    from gigs_core.errors import InvalidOptionsError

    with pytest.raises(InvalidOptionsError, match="variant"):
        create_recommender("dvbpr", variant="resnet")
    with pytest.raises(InvalidOptionsError, match="does not exist"):
        create_recommender("dvbpr", checkpoint="/nonexistent.pt")
    model = create_recommender("dvbpr", variant="cnnf-small", num_users=2, k=4)
    with pytest.raises(UserInputError, match="empty"):
        model.score(torch.rand(1, 3, 32, 32), torch.tensor([], dtype=torch.long))
    with pytest.raises(UserInputError, match="out of range"):
        model.user_embeddings(torch.tensor([-1]))


def test_initialisation_is_seeded():
    a = create_recommender("dvbpr", variant="cnnf-small", num_users=2, k=4, seed=1)
    b = create_recommender("dvbpr", variant="cnnf-small", num_users=2, k=4, seed=1)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


@pytest.mark.parametrize("name,content", [("empty.safetensors", b""), ("text.safetensors", b"not a model\n"),
                                          ("empty.npy", b""), ("empty.pth", b"")])
def test_a_file_that_is_not_a_checkpoint_is_one_line(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CheckpointError) as info:
        create_recommender("dvbpr", checkpoint=path)
    assert name in str(info.value) and "\n" not in str(info.value)
