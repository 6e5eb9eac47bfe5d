"""report.html: self-contained, and its content matches the run (parsed with html.parser)."""

import base64
import io
import json
from html.parser import HTMLParser

import pytest
import torch
from PIL import Image

from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.pipeline import run_gigs
from gigs_core.report.html import item_sentences, render_report_html


class Page(HTMLParser):
    """Collects images, table cells, list items, figure captions and the settings block."""

    def __init__(self):
        super().__init__()
        self.images, self.cells, self.items, self.captions, self.links = [], [], [], [], []
        self._stack, self._text = [], []
        self.settings = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        if tag in ("link", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs)
        if tag in ("img", "br", "meta", "link"):  # void elements: no end tag
            if self._text:
                self._text[-1].append(" ")
            return
        self._stack.append((tag, attrs.get("class")))
        self._text.append([])

    def handle_endtag(self, tag):
        opened, css = self._stack.pop()
        text = "".join(self._text.pop()).strip()
        if self._text:
            self._text[-1].append(text + " ")
        if opened in ("td", "th"):
            self.cells.append(text)
        elif opened == "li":
            self.items.append(text)
        elif opened == "figcaption":
            self.captions.append(text)
        elif opened == "pre" and css == "settings":
            self.settings = text

    def handle_data(self, data):
        if self._text:
            self._text[-1].append(data)


def parse(text: str) -> Page:
    page = Page()
    page.feed(text)
    return page


@pytest.fixture
def run(fast_config):
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    items = torch.rand(2, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    return run_gigs(generator, recommender, items, users="0,2", config=fast_config, seeds=3, item_names=["shoe", "bag"])


def test_saved_report_html_is_self_contained_and_matches_the_run(run, tmp_path):
    run.save(tmp_path / "out")
    page = parse((tmp_path / "out" / "report.html").read_text())
    n = run.config.shift.n
    assert not page.links  # nothing loaded from elsewhere
    # per item: item + reconstruction + n variants, all inline PNGs that decode
    assert len(page.images) == len(run.items) * (2 + n)
    for image in page.images:
        assert image["src"].startswith("data:image/png;base64,")
        Image.open(io.BytesIO(base64.b64decode(image["src"].split(",", 1)[1]))).verify()
    first = run.items[0]
    captions = [c for c in page.captions if c.startswith("v")][:n]
    for index, (caption, score) in enumerate(zip(captions, first.variant_preferences)):
        assert caption.startswith(f"v{index}") and f"{score:.4f}" in caption
        assert f"{score - first.baseline_preference:+.4f}" in caption
    mean = sum(first.variant_preferences) / n
    assert any(f"{mean:.4f}" in s and f"{first.mean_gain:+.4f}" in s for s in page.items)
    assert any("not observed sales" in s for s in page.items)
    settings = json.loads(page.settings)
    assert settings["config"]["shift"]["n"] == n and settings["perceptual_distance"] == run.perceptual


def test_evaluation_extras_are_shown(run):
    item = run.items[0]
    rows = [{"image": "item", "group_preference": 0.1, "ground_truth_utility": 0.5, "rank_by_preference": 500,
             "rank_by_ground_truth": 400, "distance_to_item": 0.0}]
    rows += [{"image": f"variant {k}", "group_preference": 0.3, "ground_truth_utility": 0.4 + k,
              "rank_by_preference": 100 + k, "rank_by_ground_truth": 300, "distance_to_item": 0.25}
             for k in range(len(item.variants))]
    run.evaluation = {
        "group": "segment 'x' (2 users)", "catalogue": {"name": "test catalogue", "size": 1000},
        "distance": "domain:c.safetensors", "columns": ["group_preference", "ground_truth_utility",
                                                         "rank_by_preference", "rank_by_ground_truth",
                                                         "distance_to_item"],
        "catalogue_stats": {"group_preference": {"std": 2.0}, "ground_truth_utility": {"std": 1.0}},
        "items": {item.name: rows},
    }
    run.notes = ["perceptual distance: domain features (LPIPS-alex absent)"]
    page = parse(render_report_html(run))
    assert "catalogue rank (preference)" in page.cells and "ground-truth utility" in page.cells
    assert "1,000" not in page.cells and "100" in page.cells and "500" in page.cells
    assert any("rank 500 → 100" in c for c in page.captions)
    assert any("LPIPS-alex absent" in s for s in page.items)
    assert any("standard deviations of this group's scores" in s for s in page.items)
    assert any("true utility" in s and "rose too" in s for s in page.items)


def test_sentences_say_when_the_gain_is_noise_or_truth_falls(run):
    item = run.items[0]
    item.variant_preferences = [item.baseline_preference + d for d in (0.01, -0.01, 0.02, -0.015)]
    assert any("within the noise" in s for s in item_sentences(item))
    rows = [{"image": "item", "ground_truth_utility": 1.0}] + [
        {"image": f"variant {k}", "ground_truth_utility": 0.5} for k in range(4)]
    sentences = item_sentences(item, {"items": {item.name: rows}, "catalogue_stats":
                                      {"group_preference": {"std": 10.0}}})
    assert any("within the noise" in s for s in sentences)
    assert any("changed by -0.5000" in s for s in sentences) and not any("real" in s for s in sentences)
    item.variant_preferences = [item.baseline_preference + 20.0] * 4  # a clear gain the users do not share
    sentences = item_sentences(item, {"items": {item.name: rows}, "catalogue_stats":
                                      {"group_preference": {"std": 10.0}}})
    assert any("did not rise" in s for s in sentences)


def test_a_fall_is_never_called_a_gain_or_real(run):
    item = run.items[0]
    item.variant_preferences = [item.baseline_preference - 3.0 + 0.01 * k for k in range(4)]
    rows = [{"image": "item", "ground_truth_utility": 1.0}] + [
        {"image": f"variant {k}", "ground_truth_utility": 2.0} for k in range(4)]  # truth rose anyway
    sentences = item_sentences(item, {"items": {item.name: rows}, "catalogue_stats":
                                      {"group_preference": {"std": 1.0}, "ground_truth_utility": {"std": 1.0}}})
    text = " ".join(sentences)
    assert "a fall" in text and "gain is real" not in text and "clear" not in text
    assert "changed by +1.0000" in text


def test_a_rise_of_half_a_standard_deviation_is_a_clear_gain_and_real_when_the_truth_rose(run):
    item = run.items[0]
    item.variant_preferences = [item.baseline_preference + 0.6] * 4
    rows = [{"image": "item", "ground_truth_utility": 1.0}] + [
        {"image": f"variant {k}", "ground_truth_utility": 1.5} for k in range(4)]
    text = " ".join(item_sentences(item, {"items": {item.name: rows}, "catalogue_stats":
                                          {"group_preference": {"std": 1.0}, "ground_truth_utility": {"std": 1.0}}}))
    assert "a clear gain" in text and "the recommender's gain is real" in text


def test_no_shifting_steps_is_said_plainly(run):
    assert any("No shifting steps were run" in s for s in item_sentences(run.items[0], shift_steps=0))
    assert not any("No shifting steps" in s for s in item_sentences(run.items[0], shift_steps=5))


def domain_check(in_domain: bool) -> dict:
    return {"in_domain": in_domain, "reasons": [] if in_domain else ["nearest_item"],
            "distances": {"reconstruction": 0.5, "nearest_item": 9.0 if not in_domain else 1.0},
            "calibration": {"distance": "domain-classifier", "items": 40, "quantile": 0.95,
                            "reconstruction": {"threshold": 3.0}, "nearest_item": {"threshold": 5.0}}}


def test_an_out_of_domain_photo_is_said_first_and_no_gain_is_called_real_or_clear(run):
    item = run.items[0]
    item.variant_preferences = [item.baseline_preference + 0.6] * 4  # would be "a clear gain … real"
    rows = [{"image": "item", "ground_truth_utility": 1.0, "rank_by_preference": 1631}] + [
        {"image": f"variant {k}", "ground_truth_utility": 1.5, "rank_by_preference": 1} for k in range(4)]
    evaluation = {"items": {item.name: rows}, "domain_check": {item.name: domain_check(False)},
                  "catalogue_stats": {"group_preference": {"std": 1.0}, "ground_truth_utility": {"std": 1.0}}}
    sentences = item_sentences(item, evaluation)
    text = " ".join(sentences)
    assert sentences[0].startswith("Out of domain: it is farther from every catalogue item")
    assert "9.0000" in sentences[0] and "5.0000" in sentences[0] and "cannot represent this photo" in sentences[0]
    assert "real" not in text and "clear" not in text and "1,631" not in text and "No verdict" in text
    evaluation["domain_check"] = {item.name: domain_check(True)}
    text = " ".join(item_sentences(item, evaluation))
    assert "within what the generator can represent" in text and "a clear gain" in text
