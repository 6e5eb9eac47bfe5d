"""PSNR: known answers, per image, and a finite ceiling for identical images."""

import torch

from gigs_core.metrics.image import PSNR_CEILING_DB, psnr


def test_psnr_known_answers_per_image():
    a = torch.zeros(3, 1, 4, 4)
    b = torch.stack([torch.full((1, 4, 4), 0.1), torch.full((1, 4, 4), 0.01), torch.zeros(1, 4, 4)])
    torch.testing.assert_close(psnr(a, b), torch.tensor([20.0, 40.0, PSNR_CEILING_DB]))


def test_reports_show_the_reconstructions_psnr(tmp_path, fast_config):
    from gigs_core.factories import create_generator, create_recommender
    from gigs_core.method.pipeline import run_gigs

    items = torch.rand(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    run = run_gigs(create_generator("linear"), create_recommender("pixel"), items, config=fast_config)
    expected = float(psnr(run.items[0].item[None], run.items[0].reconstruction[None]))
    assert run.items[0].reconstruction_psnr == expected
    folder = run.save(tmp_path / "run")
    assert f"PSNR {expected:.1f} dB" in (folder / "report.html").read_text()
    assert '"reconstruction_psnr_db": ' + repr(expected) in (folder / "report.json").read_text()
