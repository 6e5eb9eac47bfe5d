import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from PIL import Image

from gigs_core.data.dataset import Catalogue, Dataset
from gigs_core.errors import UserInputError
from gigs_core.metrics.ranking import draw_negatives, feature_scorer, full_auc, sampled_auc
from gigs_dvbpr.checkpoints import load_dvbpr
from gigs_dvbpr.training import TrainConfig, TripleSampler, train_dvbpr

ITEMS, USERS = 40, 8


def tiny_dataset(seed: int = 0) -> Dataset:
    g = torch.Generator().manual_seed(seed)
    pixels = torch.rand(ITEMS, 3, 16, 16, generator=g)
    rng = np.random.default_rng(seed)
    train, validation, test = [], [], []
    for _ in range(USERS):
        items = rng.choice(ITEMS, size=5, replace=False).tolist()
        train.append(items[:3])
        validation.append([items[3]])
        test.append([items[4]])
    train.append([])  # a user without interactions
    validation.append([])
    test.append([])
    catalogue = Catalogue(num_items=ITEMS, decode=lambda i: pixels[i], categories=np.zeros(ITEMS, dtype=np.int64),
                          category_names=["all"], image_shape=(3, 16, 16))
    return Dataset(catalogue, train, validation, test, name="tiny", metadata={"spec": "tiny"})


SMALL = {"variant": "cnnf-small", "k": 8, "input_size": 32}


def test_sampler_follows_the_original_rules():
    dataset = tiny_dataset()
    sampler = TripleSampler(dataset.train, dataset.num_items, seed=0)
    users, pos, neg = sampler.sample(500)
    assert 8 not in users  # the user without interactions is never drawn
    for u, i, j in zip(users, pos, neg):
        assert i in dataset.train[u] and j not in dataset.train[u]
    assert len(set(users.tolist())) == USERS


def test_auc_functions_against_brute_force():
    rng = np.random.default_rng(1)
    features, theta = torch.randn(30, 4), torch.randn(5, 4)
    scores = theta @ features.T
    train = [rng.choice(30, 4, replace=False).tolist() for _ in range(5)]
    target = [[int(rng.choice([i for i in range(30) if i not in t]))] for t in train]
    scorer = feature_scorer(features, theta)
    expected = np.mean([
        np.mean([scores[u, target[u][0]] > scores[u, j] for j in range(30) if j not in train[u] and j != target[u][0]])
        for u in range(5)])
    assert full_auc(scorer, train, target, 30) == pytest.approx(expected)
    users, targets, negatives = draw_negatives(train, target, 30, negatives=10, seed=3)
    for u, t, row in zip(users, targets, negatives):
        assert t not in row and not set(row) & set(train[u])
    expected_sampled = np.mean([np.mean([scores[u, t] > scores[u, j] for j in row]) for u, t, row in zip(users, targets, negatives)])
    assert sampled_auc(scorer, train, target, 30, negatives=10, seed=3) == pytest.approx(expected_sampled)
    # a perfect scorer has AUC 1 under both protocols
    def perfect(us):
        return torch.stack([torch.nn.functional.one_hot(torch.tensor(target[u][0]), 30).float() for u in us.tolist()])

    assert full_auc(perfect, train, target, 30) == 1.0 and sampled_auc(perfect, train, target, 30, negatives=10) == 1.0


def test_training_smoke_writes_everything(tmp_path):
    dataset = tiny_dataset()
    config = TrainConfig(epochs=2, steps_per_epoch=3, batch_size=8, lr=1e-3, auc_negatives=10, seed=0)
    calls = []
    result = train_dvbpr(dataset, tmp_path / "run", model_options=SMALL, config=config,
                         progress=lambda phase, done, total: calls.append((phase, done, total)))
    assert calls[:3] == [("epoch 1/2", 1, 3), ("epoch 1/2", 2, 3), ("epoch 1/2", 3, 3)] and len(calls) == 6
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    epochs = [r for r in records if r["kind"] == "epoch"]
    assert [r["epoch"] for r in epochs] == [1, 2]
    for key in ("loss", "validation_auc_sampled", "validation_auc_full", "test_auc_sampled", "test_auc_full", "peak_rss_mb"):
        assert all(np.isfinite(r[key]) for r in epochs)
    assert Image.open(tmp_path / "run" / "curves.png").size[0] > 100
    best = load_dvbpr(result.best_checkpoint)
    assert best.num_users == dataset.num_users and best.variant == "cnnf-small"
    assert result.best_epoch in (1, 2)


def test_resume_continues_after_an_interruption(tmp_path):
    config = TrainConfig(epochs=2, steps_per_epoch=4, batch_size=8, lr=1e-3, auc_negatives=10, checkpoint_every=2, seed=0)
    out = tmp_path / "run"
    dataset = tiny_dataset()
    original_images = dataset.images
    calls = {"n": 0}

    def flaky_images(ids, size=None):
        calls["n"] += 1
        if calls["n"] == 7:  # the third step of epoch 2 (epoch 1: 4 steps + evaluation batches)
            raise KeyboardInterrupt
        return original_images(ids, size=size)

    dataset.images = flaky_images
    with pytest.raises(KeyboardInterrupt):
        train_dvbpr(dataset, out, model_options=SMALL, config=config)
    state = torch.load(out / "state" / "trainer.pt", weights_only=True)
    assert (state["epoch"], state["step"]) != (0, 0)
    resumed = train_dvbpr(tiny_dataset(), out, model_options=SMALL, config=config)
    assert [r["epoch"] for r in resumed.history] == [1, 2]
    more = train_dvbpr(tiny_dataset(), out, model_options=SMALL, config=TrainConfig(**{**config.__dict__, "epochs": 3}))
    assert [r["epoch"] for r in more.history] == [1, 2, 3]
    with pytest.raises(UserInputError, match="other settings"):
        train_dvbpr(tiny_dataset(), out, model_options=SMALL, config=TrainConfig(**{**config.__dict__, "lr": 0.5}))


def test_dataset_without_users_is_refused(tmp_path):
    dataset = tiny_dataset()
    bare = Dataset(dataset.catalogue, name="bare")
    with pytest.raises(UserInputError, match="no users"):
        train_dvbpr(bare, tmp_path / "x", model_options=SMALL)


def test_train_command_end_to_end_and_errors(tmp_path):
    import sys

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "data"))
    from data_helpers import make_idx_folder

    from gigs_core.cli.main import cli
    from gigs_core.data import open_dataset
    from gigs_synthetic.users import synthesize_users

    spec = f"fashion-mnist:{tmp_path / 'f'}"
    make_idx_folder(tmp_path / "f", n_train=30, n_test=10)
    users = synthesize_users(open_dataset(spec), num_users=10, interactions_per_user=5, spec=spec).save(tmp_path / "u")
    runner = CliRunner()
    args = ["train", "recommender", "--recommender", "dvbpr", "--data", f"users:{users}", "--out", str(tmp_path / "out"),
            "-R", "variant=cnnf-small", "-R", "k=8", "--epochs", "1", "--steps-per-epoch", "2", "--batch-size", "4", "-q"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "best checkpoint" in result.output and (tmp_path / "out" / "best.safetensors").is_file()
    bad_option = runner.invoke(cli, args[:-1] + ["-R", "depth=3"])
    assert bad_option.exit_code == 2 and "depth" in bad_option.output
    bad_data = runner.invoke(cli, ["train", "recommender", "--recommender", "dvbpr", "--data", "fashion-mnist:/nowhere", "--out", str(tmp_path / "o")])
    assert bad_data.exit_code == 2 and "does not exist" in bad_data.output
    unnamed = runner.invoke(cli, ["train", "recommender", "--data", spec, "--out", str(tmp_path / "o")])
    assert unnamed.exit_code == 2 and "give --recommender NAME; trainable recommenders: dvbpr, vbpr-timm" in unnamed.output
    not_trainable = runner.invoke(cli, ["train", "recommender", "--recommender", "toy", "--data", spec, "--out", str(tmp_path / "o")])
    assert not_trainable.exit_code == 2 and "trainable" in not_trainable.output
