import math

from PIL import Image

from gigs_core.report.charts import line_chart


def test_panels_are_stacked_and_lines_drawn(tmp_path):
    path = line_chart(
        [("loss", {"loss": [(0, 1.0), (1, 0.5), (2, 0.25)]}),
         ("auc", {"val": [(0, 0.6), (1, 0.7), (2, math.nan)], "test": [(0, 0.55), (1, 0.72), (2, 0.75)]})],
        tmp_path / "sub" / "curves.png", title="run", markers=[(1, "phase 2")], width=400, panel_height=150,
    )
    image = Image.open(path).convert("RGB")
    assert image.size == (400, 20 + 2 * 180)
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 20)}
    assert (31, 119, 180) in colours and (214, 39, 40) in colours  # the series' colours were drawn


def test_empty_and_constant_series_do_not_fail(tmp_path):
    path = line_chart([("nothing", {"a": []}), ("flat", {"b": [(0, 2.0), (5, 2.0)]})], tmp_path / "c.png")
    assert Image.open(path).size[1] == 20 + 2 * 250
