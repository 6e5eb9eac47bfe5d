"""``class_by_category``: each item's catalogue category chooses the BigGAN class it is drawn in,
in the Python API, ``gigs batch`` and ``gigs eval``; categories it cannot draw are one-line
errors before anything is computed."""

from __future__ import annotations

import json

import pytest
import torch
from biggan_helpers import reference_folder
from click.testing import CliRunner
from PIL import Image

from gigs_core import create_generator
from gigs_core.cli.main import cli
from gigs_core.errors import InvalidOptionsError
from gigs_core.method.conditioning import generator_for_category, group_by_generator
from gigs_core.protocols import ConditionalGenerator
from gigs_core.testing import ConditionalGeneratorContract

LABELS = ["shirt", "shoe, sneaker", "bag", "hat", "sock"]
FAST_TOML = '[shift]\npredictor_trunk = "tiny-cnn"\npredictor_trunk_options = {}\n'


@pytest.fixture
def folder(tmp_path):
    return reference_folder(tmp_path / "biggan", labels=LABELS)


class TestBigGanByCategory(ConditionalGeneratorContract):
    @pytest.fixture(autouse=True)
    def _folder(self, tmp_path):
        self.folder = reference_folder(tmp_path / "biggan", labels=LABELS)

    def make_generator(self):
        return create_generator("biggan", checkpoint=self.folder, class_by_category=True, truncation=0.5)

    def categories(self):
        return ["bag", "sneaker"]


def test_for_category_draws_the_class_of_that_name_with_the_same_weights(folder):
    generator = create_generator("biggan", checkpoint=folder, class_by_category=True, truncation=0.5)
    assert isinstance(generator, ConditionalGenerator)
    shoe = generator.for_category("Sneaker")
    assert shoe.class_index == 1 and shoe.network is generator.network
    assert generator.for_category("shoe") is shoe  # one generator per class: its items run together
    by_name = create_generator("biggan", checkpoint=folder, class_name="shoe", truncation=0.5)
    z = by_name.sample_latent(3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(shoe(z), by_name(z))
        assert not torch.allclose(generator(z), shoe(z), atol=1e-4)  # the built class (0) is another
    plain = create_generator("biggan", checkpoint=folder, class_index=2)
    assert plain.for_category("shoe") is plain  # without class_by_category the class stays as built


def test_items_without_a_category_or_generators_without_classes_keep_the_generator(folder):
    generator = create_generator("biggan", checkpoint=folder, class_by_category=True)
    for category in (None, "", "unknown"):
        assert generator_for_category(generator, category) is generator
    linear = create_generator("linear")
    assert generator_for_category(linear, "shoe") is linear
    groups = group_by_generator(generator, ["bag", "", "shoe", "bag", "unknown"])
    assert [(chosen.class_index, positions) for chosen, positions in groups] == [(2, [0, 3]), (0, [1, 4]), (1, [2])]
    assert groups[1][0] is generator


def test_categories_and_models_it_cannot_draw_are_one_line_errors(folder, tmp_path):
    generator = create_generator("biggan", checkpoint=folder, class_by_category=True)
    with pytest.raises(InvalidOptionsError, match="class_by_category: no class is named 'sandal'.*leave "
                                                  "class_by_category off") as info:
        generator.for_category("sandal")
    assert "\n" not in str(info.value)
    no_labels = reference_folder(tmp_path / "no-labels")
    with pytest.raises(InvalidOptionsError, match="class_by_category needs class labels and .* has none"):
        create_generator("biggan", checkpoint=no_labels, class_by_category=True)
    with pytest.raises(InvalidOptionsError, match="class_by_category needs class labels and a fresh model has none"):
        create_generator("biggan", channel_width=4, z_dim=8, num_classes=5, class_by_category=True)


def _photos_csv(tmp_path, categories: list[str]):
    rows = ["path,id,category"]
    for index, category in enumerate(categories):
        pixels = (torch.rand(20, 20, 3, generator=torch.Generator().manual_seed(index)) * 255).to(torch.uint8)
        Image.fromarray(pixels.numpy()).save(tmp_path / f"p{index}.png")
        rows.append(f"p{index}.png,p{index},{category}")
    (tmp_path / "items.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "fast.toml").write_text(FAST_TOML)
    return tmp_path / "items.csv"


def _generator_args(folder, *options):
    return [arg for option in (f"checkpoint={folder}", "truncation=0.5", *options) for arg in ("-G", option)]


COMMON = ["-r", "toy", "-R", "num_users=6", "--steps", "2", "--n", "2", "--perceptual", "none", "-q"]


def test_batch_draws_each_item_in_its_category_as_gigs_run_does_with_that_class(folder, tmp_path):
    items = _photos_csv(tmp_path, ["bag", "shoe", "bag", ""])
    out = tmp_path / "batch"
    result = CliRunner().invoke(cli, ["batch", "-g", "biggan", *_generator_args(folder, "class_by_category=true"),
                                      *COMMON, "--config", str(tmp_path / "fast.toml"), "--items", str(items),
                                      "--segments", "all", "--batch-size", "4", "--out", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    reports = {json.loads(path.read_text())["items"][0]["name"]: json.loads(path.read_text())
               for path in (out / "jobs").glob("*/report.json")}
    assert sorted(reports) == ["p0", "p1", "p2", "p3"]
    for item, category in (("p0", "bag"), ("p1", "shoe"), ("p3", None)):
        report = reports[item]
        drew = [note for note in report["notes"] if "drew the item's category" in note]
        assert drew == ([f"the generator drew the item's category {category!r}"] if category else [])
        single = tmp_path / f"single-{item}"
        chosen = [f"class_name={category}"] if category else []
        alone = CliRunner().invoke(cli, ["run", "-g", "biggan", *_generator_args(folder, *chosen), *COMMON,
                                         "--config", str(tmp_path / "fast.toml"), "--item", str(tmp_path / f"{item}.png"),
                                         "--users", "all", "--seed", str(report["items"][0]["seed"]), "--out", str(single)],
                                   catch_exceptions=False)
        assert alone.exit_code == 0, alone.output
        expected = json.loads((single / "report.json").read_text())["items"][0]
        # batched items (two of one class ran together): equal up to float rounding of batched convolutions
        assert report["items"][0]["variant_preferences"] == pytest.approx(expected["variant_preferences"], rel=1e-2)
        assert report["items"][0]["base_latent"] == pytest.approx(expected["base_latent"], abs=1e-4)


def test_batch_with_a_category_the_model_cannot_draw_stops_before_computing(folder, tmp_path):
    items = _photos_csv(tmp_path, ["bag", "sandal"])
    out = tmp_path / "batch"
    result = CliRunner().invoke(cli, ["batch", "-g", "biggan", *_generator_args(folder, "class_by_category=true"),
                                      *COMMON, "--config", str(tmp_path / "fast.toml"), "--items", str(items),
                                      "--segments", "all", "--out", str(out)])
    assert result.exit_code == 2
    assert "no class is named 'sandal'" in result.output and "Traceback" not in result.output
    assert not list(out.glob("jobs/*/report.json"))


def test_eval_item_cells_draw_their_items_category(folder, tmp_path, monkeypatch):
    from gigs_core.evaluation import cells as cells_module

    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    rows, interactions = ["item_id,image,category"], ["user_id,item_id"]
    for index in range(9):
        Image.new("RGB", (16, 16), (25 * index, 0, 0)).save(catalogue / f"i{index}.png")
        rows.append(f"i{index},i{index}.png,{['shirt', 'shoe', 'bag'][index % 3]}")
        interactions += [f"u{user},i{index}" for user in range(2)]
    (catalogue / "items.csv").write_text("\n".join(rows) + "\n")
    (catalogue / "interactions.csv").write_text("\n".join(interactions) + "\n")
    (tmp_path / "fast.toml").write_text(FAST_TOML)
    drawn = []
    real_run = cells_module.run_gigs

    def recording_run(generator, recommender, items, **options):
        drawn.append((items is None, generator.class_index))
        return real_run(generator, recommender, items, **options)

    monkeypatch.setattr(cells_module, "run_gigs", recording_run)
    out = tmp_path / "eval"
    result = CliRunner().invoke(cli, ["eval", "--generator", "biggan", *_generator_args(folder, "class_by_category=true",
                                                                                        "class_index=4"),
                                      "--recommender", "pixel", "--catalogue", str(catalogue), "--quick",
                                      "--tables", "2,4", "--perceptual", "none", "--distance", "none", "--config",
                                      str(tmp_path / "fast.toml"), "-q", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cells = [json.loads(path.read_text()) for path in sorted((out / "cells").glob("*.json"))]
    assert len(drawn) == len(cells)
    per_category = [cell for cell in cells if cell["table"] == 4]
    assert per_category and all(cell["item"] is not None for cell in per_category)
    item_classes = sorted(index for class_level, index in drawn if not class_level)
    assert item_classes == sorted({"shirt": 0, "shoe": 1, "bag": 2}[cell["row"]] for cell in per_category)
    assert {index for class_level, index in drawn if class_level} == {4}  # class-level cells keep the built class
