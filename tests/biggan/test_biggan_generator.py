"""The ``biggan`` generator: the core contract, the latent and its projection, the class
choice (by index, by name, optimised), and one-line errors for bad folders and options."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from biggan_helpers import TINY_CONFIG, reference_folder, write_folder
from click.testing import CliRunner

from gigs_biggan.architecture import REFERENCE_DEFAULTS, architecture_from_config, fresh_architecture
from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.errors import CheckpointError, InvalidOptionsError
from gigs_core.testing import GeneratorContract, SaveLoadContract

FRESH = {"channel_width": 4, "z_dim": 8, "num_classes": 5}
LABELS = ["tench, Tinca tinca", "goldfish", "crane", "crane", "running shoe"]


def save_folder(generator, folder):
    network = generator.network
    return write_folder(network.state_dict(), network.architecture.to_json(), folder)


class TestFreshBigGan(GeneratorContract, SaveLoadContract):
    def make_generator(self):
        return create_generator("biggan", **FRESH, class_index=1, truncation=0.6)

    def reload(self, model, folder):
        return create_generator("biggan", checkpoint=save_folder(model, folder / "biggan"), class_index=1,
                                truncation=0.6)


class TestBigGanWithClassEmbedding(GeneratorContract):
    def make_generator(self):
        return create_generator("biggan", **FRESH, class_index=3, truncation=0.5, invert_class=True)


def test_projection_clamps_the_noise_to_the_priors_support():
    generator = create_generator("biggan", **FRESH, truncation=0.5)
    latent = 3 * torch.randn(4, 8, generator=torch.Generator().manual_seed(0))
    projected = generator.project_latent(latent)
    inside = latent.abs() <= 1.0
    assert inside.any() and (~inside).any()
    torch.testing.assert_close(projected[inside], latent[inside])
    torch.testing.assert_close(projected[~inside], latent[~inside].sign())


def test_the_class_embedding_in_the_latent_starts_at_the_chosen_class():
    plain = create_generator("biggan", **FRESH, class_index=3, truncation=0.5)
    joint = create_generator("biggan", **FRESH, class_index=3, truncation=0.5, invert_class=True)
    latent = joint.sample_latent(2, generator=torch.Generator().manual_seed(4))
    assert joint.latent_shape == (2, 8) and latent.shape == (2, 2, 8)
    torch.testing.assert_close(latent[:, 0], plain.sample_latent(2, generator=torch.Generator().manual_seed(4)))
    torch.testing.assert_close(latent[:, 1], plain.network.embeddings.weight[:, 3].expand(2, -1))
    far = latent.clone()
    far[:, 1] = 5.0
    torch.testing.assert_close(joint.project_latent(far)[:, 1], far[:, 1])
    with torch.no_grad():
        torch.testing.assert_close(joint(latent), plain(latent[:, 0]))
        other_class = latent.clone()
        other_class[:, 1] = plain.network.embeddings.weight[:, 0]
        assert not torch.allclose(joint(other_class), joint(latent), atol=1e-4)


@pytest.mark.parametrize("where", ["config-list", "config-object", "labels.txt"])
def test_a_class_by_name_from_the_folders_labels(tmp_path, where):
    if where == "labels.txt":
        folder = reference_folder(tmp_path / "biggan")
        (folder / "labels.txt").write_text("\n".join(LABELS) + "\n")
    else:
        labels = LABELS if where == "config-list" else {str(index): name for index, name in enumerate(LABELS)}
        folder = reference_folder(tmp_path / "biggan", labels=labels)
    by_index = create_generator("biggan", checkpoint=folder, class_index=0)
    by_name = create_generator("biggan", checkpoint=folder, class_name="TINCA tinca")
    assert by_name.class_index == 0
    z = by_name.sample_latent(1, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        torch.testing.assert_close(by_name(z), by_index(z))
    assert create_generator("biggan", checkpoint=folder, class_name="running shoe").class_index == 4
    with pytest.raises(InvalidOptionsError, match=r"names several classes: 2 \(crane\), 3 \(crane\)"):
        create_generator("biggan", checkpoint=folder, class_name="crane")
    with pytest.raises(InvalidOptionsError, match="no class is named 'goldfsh'.*'goldfish'"):
        create_generator("biggan", checkpoint=folder, class_name="goldfsh")


def test_class_errors_are_one_line(tmp_path):
    folder = reference_folder(tmp_path / "biggan")
    problems = [
        ({"checkpoint": folder, "class_name": "goldfish"}, InvalidOptionsError, "has none .*give class_index"),
        ({**FRESH, "class_name": "goldfish"}, InvalidOptionsError, "a fresh model has none"),
        ({"checkpoint": folder, "class_index": 5}, InvalidOptionsError, r"out of range: the model has 5 classes \(0..4\)"),
        ({"class_index": 1, "class_name": "goldfish"}, InvalidOptionsError, "class_index or class_name, not both"),
    ]
    (tmp_path / "short").mkdir()
    write_folder({}, {**TINY_CONFIG, "labels": LABELS[:3]}, tmp_path / "short")
    problems.append(({"checkpoint": tmp_path / "short", "class_name": "goldfish"}, CheckpointError,
                     "has 3 class labels for 5 classes"))
    for options, error, message in problems:
        with pytest.raises(error, match=message) as info:
            create_generator("biggan", **options)
        assert "\n" not in str(info.value)


def test_bad_folders_are_one_line_errors(tmp_path):
    good = reference_folder(tmp_path / "good")
    state = torch.load(good / "pytorch_model.bin", weights_only=True)
    renamed = {key.replace("generator.bn.weight", "generator.bn.gain"): value for key, value in state.items()}
    (tmp_path / "empty").mkdir()
    (tmp_path / "not-json").mkdir()
    (tmp_path / "not-json" / "config.json").write_text("{output_dim: 32")
    folders = {
        "empty": ("has no config.json", CheckpointError),
        "not-json": ("is not valid JSON", CheckpointError),
        "no-weights": ("has no pytorch_model.bin", CheckpointError),
        "renamed-keys": (r"missing keys \[generator.bn.weight\]; unexpected keys \[generator.bn.gain\]",
                         CheckpointError),
        "garbage": ("is not a checkpoint gigs can read safely", CheckpointError),
        "other-size": ("does not match the layers, which make 32×32 images", CheckpointError),
        "other-classes": ("does not fit BigGanNetwork: size mismatch for embeddings.weight", CheckpointError),
        "broken-chain": ("layer 2 takes 8 but layer 1 gives 4", CheckpointError),
    }
    (tmp_path / "no-weights").mkdir()
    (tmp_path / "no-weights" / "config.json").write_text(json.dumps(TINY_CONFIG))
    write_folder(renamed, TINY_CONFIG, tmp_path / "renamed-keys")
    write_folder(state, TINY_CONFIG, tmp_path / "garbage")
    (tmp_path / "garbage" / "pytorch_model.bin").write_bytes(b"not a pickle")
    write_folder(state, {**TINY_CONFIG, "output_dim": 64}, tmp_path / "other-size")
    write_folder(state, {**TINY_CONFIG, "num_classes": 6}, tmp_path / "other-classes")
    chain = [list(layer) for layer in TINY_CONFIG["layers"]]
    chain[2][1] = 8
    write_folder(state, {**TINY_CONFIG, "layers": chain}, tmp_path / "broken-chain")
    for name, (message, error) in folders.items():
        with pytest.raises(error, match=message) as info:
            create_generator("biggan", checkpoint=tmp_path / name)
        assert "\n" not in str(info.value), name
    with pytest.raises(InvalidOptionsError, match="checkpoint folder .* does not exist"):
        create_generator("biggan", checkpoint=tmp_path / "nowhere")


@pytest.mark.parametrize(("options", "message"), [
    ({"truncation": 0}, "truncation: Input should be greater than 0"),
    ({"truncation": 1.5}, "truncation: Input should be less than or equal to 1"),
    ({"resolution": 48}, "resolution: must be a power of two ≥ 32"),
    ({"channel_width": 2}, "channel_width: Input should be greater than or equal to 4"),
])
def test_option_errors(options, message):
    with pytest.raises(InvalidOptionsError, match=message):
        create_generator("biggan", **options)


def test_a_checkpoint_brings_its_own_architecture(tmp_path):
    with pytest.raises(InvalidOptionsError, match="z_dim, seed describe a fresh model"):
        create_generator("biggan", checkpoint=reference_folder(tmp_path / "biggan"), z_dim=16, seed=1)


def test_config_fields_default_to_the_references_128_px_model():
    from pytorch_pretrained_biggan import BigGANConfig

    reference = BigGANConfig().to_dict()
    reference["layers"] = [list(layer) for layer in reference["layers"]]
    assert REFERENCE_DEFAULTS == reference
    assert architecture_from_config({}, "config").to_json() == reference
    published = fresh_architecture(resolution=128, channel_width=128, z_dim=128, num_classes=1000)
    assert published.to_json() == reference


def test_gigs_run_with_a_biggan_folder(tmp_path):
    from PIL import Image

    folder = reference_folder(tmp_path / "biggan", labels=LABELS)
    pixels = np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "shoe.png")
    (tmp_path / "fast.toml").write_text('[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n')
    out = tmp_path / "run"
    options = [f"checkpoint={folder}", "class_name=goldfish", "truncation=0.5", "invert_class=true"]
    result = CliRunner().invoke(cli, ["run", "-g", "biggan", *[arg for option in options for arg in ("-G", option)],
                                      "-r", "toy", "--item", str(tmp_path / "shoe.png"), "--steps", "2", "--n", "2", "--perceptual", "none",
                                      "--config", str(tmp_path / "fast.toml"), "-q", "-o", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["backends"]["generator"]["class"] == "gigs_biggan.generator.BigGanGenerator"
    base = np.array(report["items"][0]["base_latent"])
    assert base.shape == (2, 8) and np.abs(base[0]).max() <= 1.0  # noise within ±2 · truncation
    goldfish = torch.load(folder / "pytorch_model.bin", weights_only=True)["embeddings.weight"][:, 1]
    assert not np.allclose(base[1], goldfish.numpy(), atol=1e-3)  # inversion moved the class embedding
    assert "untrained weights" not in " ".join(report.get("notes", []))
