import json

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from gigs_core.data import open_dataset
from gigs_core.errors import UserInputError
from gigs_vbpr.checkpoints import load_vbpr
from gigs_vbpr.sampling import TripleDraws
from gigs_vbpr.training import TrainConfig, catalogue_features, evaluate, train_vbpr
from tests.vbpr.conftest import TINY

FAST = TrainConfig(epochs=2, batch_size=32, steps_per_epoch=5, lr=1e-2, seed=0)


def test_triples_follow_the_bpr_rules():
    train = [[0, 1, 2], [], [3], [4, 5, 6, 7, 8]]
    draws = TripleDraws(train, num_items=10, seed=0)
    users, positives, negatives = draws.sample(2000)
    assert set(users.tolist()) == {0, 2, 3}  # a user without training items is never drawn
    for u, i, j in zip(users, positives, negatives):
        assert i in train[u] and j not in train[u]
    assert set(negatives[users == 2].tolist()) == set(range(10)) - {3}  # every unseen item is drawn
    state = draws.state()
    again = draws.sample(5)
    draws.set_state(state)
    assert all(np.array_equal(a, b) for a, b in zip(again, draws.sample(5)))


def test_a_user_who_saw_everything_is_refused():
    with pytest.raises(UserInputError, match="user 1 has interacted with every item"):
        TripleDraws([[0], [0, 1, 2]], num_items=3, seed=0)


def test_trains_well_above_chance_on_synthetic_users(users_spec, tmp_path):
    dataset = open_dataset(users_spec)
    config = TrainConfig(epochs=8, batch_size=64, lr=1e-2, seed=0)
    result = train_vbpr(dataset, tmp_path / "run", model_options=TINY, config=config)
    best = load_vbpr(result.best_checkpoint)
    reloaded = evaluate(best, catalogue_features(best, dataset), dataset, TrainConfig())
    with torch.no_grad():  # the same backbone with untrained E, β' and θ
        best.theta.normal_(0, 0.01, generator=torch.Generator().manual_seed(0))
        best.embedding.normal_(0, 0.01, generator=torch.Generator().manual_seed(1))
        best.visual_bias.normal_(0, 0.01, generator=torch.Generator().manual_seed(2))
    untrained = evaluate(best, catalogue_features(best, dataset), dataset, TrainConfig())
    logged = result.history[result.best_epoch - 1]
    standardised = catalogue_features(best, dataset)  # over the catalogue, as fixed when training started
    torch.testing.assert_close(standardised.mean(dim=0), torch.zeros(best.backbone.feature_dim), atol=1e-4, rtol=0)
    varying = best.feature_scale != 1
    torch.testing.assert_close(standardised.std(dim=0)[varying], torch.ones(int(varying.sum())), atol=1e-4, rtol=0)
    assert reloaded["test_auc_sampled"] == pytest.approx(logged["test_auc_sampled"])  # the file is the logged model
    assert logged["test_auc_sampled"] > 0.7 and logged["test_auc_full"] > 0.7
    assert logged["test_auc_sampled"] > untrained["test_auc_sampled"] + 0.1


def test_the_frozen_backbone_stays_as_it_was_and_fine_tuning_moves_it(users_spec, tmp_path):
    dataset = open_dataset(users_spec)
    frozen = load_vbpr(train_vbpr(dataset, tmp_path / "frozen", model_options=TINY, config=FAST).last_checkpoint)
    tuned = load_vbpr(train_vbpr(dataset, tmp_path / "tuned", model_options=TINY,
                                 config=TrainConfig(**{**FAST.__dict__, "fine_tune": True, "epochs": 1})).last_checkpoint)
    from gigs_vbpr.building import new_vbpr

    initial = new_vbpr(dataset.num_users, seed=0, **TINY).backbone.state_dict()
    assert all(torch.equal(value, frozen.backbone.state_dict()[key]) for key, value in initial.items())
    assert not torch.equal(initial["backbone.conv1.0.weight"], tuned.backbone.state_dict()["backbone.conv1.0.weight"])
    assert not torch.equal(frozen.theta, tuned.theta)


def test_an_interrupted_run_resumes_to_the_same_model(users_spec, tmp_path):
    dataset = open_dataset(users_spec)
    straight = train_vbpr(dataset, tmp_path / "straight", model_options=TINY, config=FAST)

    def interrupt(phase, done, total):
        if phase == "epoch 2/2" and done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_vbpr(dataset, tmp_path / "resumed", model_options=TINY, config=FAST, progress=interrupt)
    state = torch.load(tmp_path / "resumed" / "state" / "trainer.pt", weights_only=True)
    assert (state["epoch"], state["step"]) == (1, 2)
    resumed = train_vbpr(dataset, tmp_path / "resumed", model_options=TINY, config=FAST)
    assert [r["epoch"] for r in resumed.history] == [1, 2]
    a, b = load_vbpr(straight.last_checkpoint), load_vbpr(resumed.last_checkpoint)
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))
    more = train_vbpr(dataset, tmp_path / "resumed", model_options=TINY, config=TrainConfig(**{**FAST.__dict__, "epochs": 3}))
    assert [r["epoch"] for r in more.history] == [1, 2, 3]
    with pytest.raises(UserInputError, match="other settings"):
        train_vbpr(dataset, tmp_path / "resumed", model_options=TINY, config=TrainConfig(**{**FAST.__dict__, "lr": 0.5}))


def test_run_folder_and_refusals(users_spec, tmp_path):
    dataset = open_dataset(users_spec)
    result = train_vbpr(dataset, tmp_path / "run", model_options=TINY, config=FAST)
    records = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2] and result.best_epoch in (1, 2)
    assert all(np.isfinite(r[key]) for r in records for key in ("loss", "validation_auc_full", "test_auc_sampled"))
    assert (tmp_path / "run" / "curves.png").is_file()
    assert json.loads(result.best_checkpoint.with_suffix(".json").read_text())["training"]["epoch"] == result.best_epoch
    from gigs_core.data.dataset import Dataset

    with pytest.raises(UserInputError, match="no users"):
        train_vbpr(Dataset(dataset.catalogue, name="bare"), tmp_path / "bare", model_options=TINY)
    with pytest.raises(UserInputError, match="unknown vbpr-timm model option"):
        train_vbpr(dataset, tmp_path / "x", model_options={"depth": 3})
    assert not (tmp_path / "bare").exists() and not (tmp_path / "x").exists()


def test_train_command_end_to_end_and_errors(users_spec, tmp_path):
    from gigs_core.cli.main import cli

    runner = CliRunner()
    args = ["train", "recommender", "--recommender", "vbpr-timm", "--data", users_spec, "--out", str(tmp_path / "out"),
            "-R", "model=resnet10t", "-R", "input_size=32", "-R", "k=4", "--epochs", "1", "--steps-per-epoch", "2",
            "--batch-size", "8", "-q"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "best checkpoint" in result.output and "test_auc_sampled" in result.output
    assert load_vbpr(tmp_path / "out" / "best.safetensors").k == 4
    for extra, words in ((["-R", "depth=3"], "depth"), (["-R", "k=zero"], "k"),
                         (["-R", "backbone_checkpoint=/nowhere.pt"], "does not exist")):
        bad = runner.invoke(cli, args[:-1] + extra + ["--out", str(tmp_path / "bad")])
        assert bad.exit_code == 2 and words in bad.output and len(bad.output.strip().splitlines()) == 1, bad.output
    assert not (tmp_path / "bad").exists()
