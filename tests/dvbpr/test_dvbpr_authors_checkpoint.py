"""A checkpoint in the GIGS authors' format (pthDVBPR + U) loads and gives the same φ and scores.

``reference_phi`` re-implements their ``pthDVBPR.forward`` (minus their
always-on dropout) with plain torch functional calls on the raw state dict, so
the test does not depend on our module's code path.
"""

import functools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gigs_core import create_recommender
from gigs_core.errors import CheckpointError

K, USERS = 10, 4
MEAN = torch.tensor([0.6949, 0.6748, 0.6676]).view(1, 3, 1, 1)
STD = torch.tensor([0.3102, 0.3220, 0.3252]).view(1, 3, 1, 1)


@functools.lru_cache(maxsize=2)
def known_state(seed: int = 0, side: int = 7) -> dict[str, torch.Tensor]:
    """pthDVBPR weights whose last feature map is side × side (7 at 224 px, 4 at 128 px)."""
    g = torch.Generator().manual_seed(seed)
    shapes = {
        "conv1": (64, 3, 11, 11), "conv2": (256, 64, 5, 5), "conv3": (256, 256, 3, 3),
        "conv4": (256, 256, 3, 3), "conv5": (256, 256, 3, 3),
        "fc1": (4096, side * side * 256), "fc2": (4096, 4096), "fc3": (K, 4096),
    }
    state = {}
    for name, shape in shapes.items():
        fan_in = int(np.prod(shape[1:]))
        state[f"{name}.weight"] = torch.randn(shape, generator=g) * (2.0 / fan_in) ** 0.5
        state[f"{name}.bias"] = torch.randn(shape[0], generator=g) * 0.01
    return state


def reference_phi(state, images):
    s = state
    x = (images - MEAN) / STD
    x = F.max_pool2d(F.relu(F.conv2d(x, s["conv1.weight"], s["conv1.bias"], stride=4)), 2, 2)
    x = F.max_pool2d(F.relu(F.conv2d(x, s["conv2.weight"], s["conv2.bias"], padding=2)), 2, 2)
    x = F.relu(F.conv2d(x, s["conv3.weight"], s["conv3.bias"], padding=1))
    x = F.relu(F.conv2d(x, s["conv4.weight"], s["conv4.bias"], padding=1))
    x = F.max_pool2d(F.relu(F.conv2d(x, s["conv5.weight"], s["conv5.bias"], padding=1)), 2, 2, padding=1)
    x = x.flatten(1)
    x = F.relu(F.linear(x, s["fc1.weight"], s["fc1.bias"]))
    x = F.relu(F.linear(x, s["fc2.weight"], s["fc2.bias"]))
    return F.linear(x, s["fc3.weight"], s["fc3.bias"])


def write_authors_file(path, state):
    users = np.random.default_rng(0).uniform(0, 0.01, size=(USERS, K)).astype(np.float32)
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))])
    torch.save({
        "epoch": 19,
        "model_state_dict": {f"module.{k}": v for k, v in state.items()},  # DataParallel prefix
        "optimizer_state_dict": optimizer.state_dict(),
        "loss": torch.tensor(12.5, requires_grad=True) * 1.0,
        "U": users,
    }, path)
    return users


@pytest.fixture(scope="module")
def authors_file(tmp_path_factory):
    state = known_state()
    path = tmp_path_factory.mktemp("aip") / "amazon_K10_19.tar"
    return path, state, write_authors_file(path, state)


def test_a_128_px_authors_checkpoint_loads_with_default_options(tmp_path):
    state = known_state(side=4)  # pthDVBPR trained at 128 px: fc1 is 4096 × 4096
    path = tmp_path / "amazon_128.tar"
    users = write_authors_file(path, state)
    model = create_recommender("dvbpr", checkpoint=str(path))
    assert model.cnn.input_size == 128
    images = torch.rand(2, 3, 128, 128, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = reference_phi(state, images) @ torch.from_numpy(users).T
        torch.testing.assert_close(model.score(images, torch.arange(USERS)), expected, atol=1e-4, rtol=1e-4)


def test_authors_checkpoint_gives_the_same_phi_and_scores(authors_file):
    path, state, users = authors_file
    model = create_recommender("dvbpr", checkpoint=str(path))
    assert (model.variant, model.normalization, model.num_users, model.k) == ("cnnf-aip", "aip", USERS, K)
    images = torch.rand(3, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected_phi = reference_phi(state, images)
        phi = model.features(images)
        torch.testing.assert_close(phi, expected_phi, atol=1e-4, rtol=1e-4)
        expected_scores = expected_phi @ torch.from_numpy(users).T
        torch.testing.assert_close(model.score(images, torch.arange(USERS)), expected_scores, atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(model.user_embeddings(torch.tensor([2])), torch.from_numpy(users[2:3]))


def test_authors_checkpoint_with_other_normalization(authors_file):
    path, state, _ = authors_file
    model = create_recommender("dvbpr", checkpoint=str(path), normalization="dvbpr")
    images = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        ours = model.features(images)
        reference = reference_phi(state, (2 * images - 1) * STD + MEAN)  # undo their normalisation, apply [−1, 1]
    torch.testing.assert_close(ours, reference, atol=1e-4, rtol=1e-4)


def test_authors_checkpoint_of_another_architecture(tmp_path):
    state = {k: v for k, v in known_state().items() if not k.startswith("fc3")}
    state["fc4.weight"] = torch.zeros(1, 1)  # and fc3 missing
    path = tmp_path / "other.tar"
    torch.save({"model_state_dict": state, "U": np.zeros((2, K), dtype=np.float32)}, path)
    with pytest.raises(CheckpointError) as info:
        create_recommender("dvbpr", checkpoint=str(path))
    assert "fc3.weight" in str(info.value) and "fc4.weight" in str(info.value)


def test_a_pickle_with_code_is_refused(tmp_path):
    import os
    import pickle

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch HACKED",))

    path = tmp_path / "evil.pt"
    with open(path, "wb") as handle:
        pickle.dump({"model_state_dict": Evil(), "U": 1}, handle)
    with pytest.raises(CheckpointError):
        create_recommender("dvbpr", checkpoint=str(path))
    assert not (tmp_path / "HACKED").exists() and not os.path.exists("HACKED")


def test_a_file_written_under_numpy_1_loads(tmp_path):
    """numpy 1.x pickles name ``numpy.core.multiarray._reconstruct``; emulate that in a legacy-format file."""
    import io

    state = {k: v.clone() for k, v in known_state().items()}
    users = np.full((3, K), 0.005, dtype=np.float32)
    buffer = io.BytesIO()
    torch.save({"model_state_dict": state, "U": users}, buffer, _use_new_zipfile_serialization=False)
    data = buffer.getvalue()
    if b"numpy._core.multiarray" in data:
        data = data.replace(b"numpy._core.multiarray", b"numpy.core.multiarray")
    assert b"numpy.core.multiarray\n_reconstruct" in data
    path = tmp_path / "old.pt"
    path.write_bytes(data)
    model = create_recommender("dvbpr", checkpoint=str(path))
    torch.testing.assert_close(model.theta.detach(), torch.from_numpy(users))
