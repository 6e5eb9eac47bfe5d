import pytest
import torch

from gigs_core import create_recommender
from gigs_core.errors import CheckpointError, InvalidOptionsError, UserInputError
from gigs_core.testing import LinearRecommenderContract, SaveLoadContract
from gigs_vbpr.checkpoints import load_vbpr, save_vbpr
from tests.vbpr.conftest import TINY


def tiny_vbpr(**options):
    return create_recommender("vbpr-timm", **{**TINY, "num_users": 4, **options})


class TestVbprTimm(LinearRecommenderContract, SaveLoadContract):
    def make_recommender(self):
        return tiny_vbpr()

    def reload(self, model, folder):
        return create_recommender("vbpr-timm", checkpoint=save_vbpr(model, folder / "r.safetensors"))


def test_preference_is_visual_vbpr_by_hand():
    """φ = [E f; β'ᵀ f] and [θ_u; 1] give θ_uᵀ E f(x) + β'ᵀ f(x)."""
    model = tiny_vbpr(seed=3)
    images = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        model.fix_standardisation(torch.randn(10, model.backbone.feature_dim, generator=torch.Generator().manual_seed(1)))
        f = (model.backbone(images) - model.feature_mean) / model.feature_scale
        expected = (f @ model.embedding.T) @ model.theta.T + (f @ model.visual_bias)[:, None]
        torch.testing.assert_close(model.score(images, torch.arange(4)), expected)
        features, users = model.features(images), model.user_embeddings(torch.tensor([2, 0]))
    assert features.shape == (3, TINY["k"] + 1) and users.shape == (2, TINY["k"] + 1)
    assert torch.equal(users[:, -1], torch.ones(2))


def test_backbone_is_timms_at_the_input_size():
    import timm

    model = tiny_vbpr()
    assert model.input_size == 32 and model.backbone.input_size == 32
    assert model.backbone.feature_dim == timm.create_model("resnet10t", num_classes=0).num_features
    default = create_recommender("vbpr-timm", model="resnet10t", k=2)
    assert default.input_size == timm.models.get_pretrained_cfg("resnet10t").input_size[-1]


def test_initial_weights_follow_the_seed_and_leave_the_global_stream_alone():
    torch.manual_seed(11)
    expected_next = torch.rand(1)
    torch.manual_seed(11)
    first, second, other = tiny_vbpr(seed=1), tiny_vbpr(seed=1), tiny_vbpr(seed=2)
    assert torch.equal(torch.rand(1), expected_next)
    assert all(torch.equal(a, b) for a, b in zip(first.state_dict().values(), second.state_dict().values()))
    assert not torch.equal(first.backbone.backbone.conv1[0].weight, other.backbone.backbone.conv1[0].weight)
    assert not torch.equal(first.theta, other.theta)


def test_saved_file_holds_everything(tmp_path):
    model = tiny_vbpr(k=5, seed=4)
    path = save_vbpr(model, tmp_path / "m", extra={"epoch": 3})
    loaded = load_vbpr(path)
    assert (loaded.num_users, loaded.k, loaded.input_size, loaded.backbone_model) == (4, 5, 32, "resnet10t")
    assert not loaded.training
    assert all(torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), model.state_dict().values()))
    assert '"epoch": 3' in path.with_suffix(".json").read_text()


def test_backbone_checkpoint_loads_a_state_dict_file_without_its_head(tmp_path):
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(5)
    reference = timm.create_model("resnet10t", num_classes=7)  # a classifier head, which is ignored
    save_file({key: value.contiguous() for key, value in reference.state_dict().items()}, str(tmp_path / "b.safetensors"))
    model = tiny_vbpr(backbone_checkpoint=str(tmp_path / "b.safetensors"))
    reference.reset_classifier(0)
    images = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        expected = reference.eval()((images - model.backbone.mean) / model.backbone.std)
        torch.testing.assert_close(model.backbone_features(images), expected)


def test_another_models_checkpoint_is_refused(tmp_path):
    dvbpr = create_recommender("dvbpr", variant="cnnf-small", num_users=2, k=4)
    from gigs_dvbpr.checkpoints import save_dvbpr

    with pytest.raises(CheckpointError, match="'dvbpr' checkpoint, not vbpr-timm"):
        create_recommender("vbpr-timm", checkpoint=save_dvbpr(dvbpr, tmp_path / "d"))


def test_bad_options_are_one_line():
    with pytest.raises(InvalidOptionsError, match="checkpoint= already fixes k, model"):
        create_recommender("vbpr-timm", checkpoint=__file__, model="resnet18", k=3)
    with pytest.raises(InvalidOptionsError, match="does not exist"):
        create_recommender("vbpr-timm", backbone_checkpoint="/nowhere.safetensors")
    with pytest.raises(InvalidOptionsError, match="k"):
        create_recommender("vbpr-timm", k=0)
    with pytest.raises(UserInputError, match="timm has no model 'resnet19'"):
        create_recommender("vbpr-timm", model="resnet19")
    with pytest.raises(UserInputError, match="out of range"):
        tiny_vbpr().user_embeddings(torch.tensor([4]))


def test_optimised_against_and_judging_through_gigs_run(tmp_path):
    import json

    from click.testing import CliRunner
    from PIL import Image

    from gigs_core.cli.main import cli
    from gigs_dvbpr.checkpoints import save_dvbpr

    vbpr = save_vbpr(tiny_vbpr(), tmp_path / "vbpr")
    dvbpr = save_dvbpr(create_recommender("dvbpr", variant="cnnf-small", num_users=4, k=4), tmp_path / "dvbpr")
    photo = tmp_path / "item.png"
    Image.new("L", (16, 16), color=90).save(photo)
    config = tmp_path / "fast.toml"
    config.write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    common = ["run", "-g", "linear", "-i", str(photo), "-u", "0,3", "--steps", "3", "--n", "2", "--perceptual", "none",
              "--config", str(config), "-q"]
    models = {"vbpr-timm": vbpr, "dvbpr": dvbpr}
    for optimised, judge in (("vbpr-timm", "dvbpr"), ("dvbpr", "vbpr-timm")):
        out = tmp_path / optimised
        result = CliRunner().invoke(cli, [*common, "-r", optimised, "-R", f"checkpoint={models[optimised]}",
                                          "--judge", judge, "-J", f"checkpoint={models[judge]}", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert f"judged by {judge}: mean gain" in result.output
        assert json.loads((out / "report.json").read_text())["backends"]["recommender"]["name"] == optimised
