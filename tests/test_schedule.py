"""Learning-rate schedules and per-item early stopping (gigs_core.method.schedule), and both
phases honouring them: an item stops at the same step, in the same place, alone or in a batch."""

import math

import pytest
import torch

from gigs_core.config import InversionConfig, ShiftConfig
from gigs_core.factories import create_generator, create_recommender
from gigs_core.method.inversion import LatentOptimizationInverter
from gigs_core.method.schedule import PlateauStop, hold_stopped, schedule_factor
from gigs_core.method.shifting import optimize_shifts

USERS = torch.arange(5)


def test_cosine_schedule_runs_from_the_base_rate_to_zero_and_constant_stays():
    assert schedule_factor("cosine", 0, 100) == 1.0
    assert schedule_factor("cosine", 50, 100) == pytest.approx(0.5)
    assert schedule_factor("cosine", 99, 100) == pytest.approx(0.5 * (1 + math.cos(math.pi * 0.99)))
    assert {schedule_factor("constant", step, 100) for step in range(100)} == {1.0}


def test_plateau_stop_stops_each_item_when_its_recent_progress_is_small():
    """Item 0 falls by 1 per step for 5 steps then stays (a plateau); item 1 keeps falling."""
    stop = PlateauStop(2, patience=3, tolerance=0.1, minimize=True, device=torch.device("cpu"))
    values = [torch.tensor([10.0 - min(step, 5), 10.0 - step]) for step in range(12)]
    flags = [stop.update(value).tolist() for value in values]
    # at step 8 item 0's last 3 steps brought 0 of its progress of 5: stopped; item 1 never
    assert [flag[0] for flag in flags] == [False] * 8 + [True] * 4
    assert not any(flag[1] for flag in flags)
    assert stop.steps_taken(12) == [9, 12]


def test_plateau_stop_on_a_rising_value_and_patience_zero_never_stops():
    rising = PlateauStop(1, patience=2, tolerance=0.5, minimize=False, device=torch.device("cpu"))
    never = PlateauStop(1, patience=0, tolerance=0.5, minimize=False, device=torch.device("cpu"))
    for value in [0.0, 1.0, 1.1, 1.15, 1.2]:
        rising.update(torch.tensor([value]))
        never.update(torch.tensor([value]))
    assert rising.stopped.tolist() == [True] and never.stopped.tolist() == [False]
    assert not never.all_stopped(9)


def test_hold_stopped_puts_back_only_the_stopped_rows():
    values, before = torch.ones(3, 2, 4), torch.zeros(3, 2, 4)
    hold_stopped(values, before, torch.tensor([False, True, False]))
    assert values[1].eq(0).all() and values[[0, 2]].eq(1).all()


def inverter(**settings):
    return LatentOptimizationInverter(InversionConfig(perceptual="none", lr=0.05, **settings))


def test_inversion_stops_early_and_the_batch_does_not_change_when_an_item_stops():
    generator = create_generator("linear")
    with torch.no_grad():
        targets = generator(generator.sample_latent(3, generator=torch.Generator().manual_seed(3)))
    config = {"steps": 400, "stop_patience": 20, "stop_tolerance": 0.01}
    together = inverter(**config).invert(generator, targets, seeds=[0, 1, 2])
    assert all(steps < 400 for steps in together.steps_taken)
    for index in range(3):
        alone = inverter(**config).invert(generator, targets[index : index + 1], seeds=[index])
        assert alone.steps_taken == [together.steps_taken[index]]
        torch.testing.assert_close(alone.latents[0], together.latents[index], atol=1e-5, rtol=1e-4)
    full = inverter(steps=400).invert(generator, targets, seeds=[0, 1, 2])
    assert full.steps_taken == [400] * 3
    # stopping on a plateau costs little: the loss stays within 10% (+ a small floor) of 400 steps'
    assert (together.losses <= 1.1 * full.losses + 1e-3).all()


def test_a_cosine_schedule_inverts_as_well_as_the_constant_rate():
    generator = create_generator("linear")
    with torch.no_grad():
        targets = generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(4)))
    constant = inverter(steps=200).invert(generator, targets, seeds=[0, 1])
    cosine = inverter(steps=200, lr_schedule="cosine").invert(generator, targets, seeds=[0, 1])
    assert (cosine.losses <= constant.losses + 1e-3).all()


def shift_config(**settings):
    return ShiftConfig(n=4, predictor_trunk="tiny-cnn", predictor_trunk_options={}, normalize="none", **settings)


def test_shifting_stops_on_a_preference_plateau_and_holds_the_stopped_items():
    generator, recommender = create_generator("linear"), create_recommender("pixel")
    latents = generator.sample_latent(2, generator=torch.Generator().manual_seed(5))
    config = shift_config(steps=600, lr_shift=0.05, stop_patience=15, stop_tolerance=0.02)
    together = optimize_shifts(generator, recommender, latents, USERS, config, seeds=[3, 4])
    assert all(steps < 600 for steps in together.steps_taken)
    assert together.preference_history.shape[0] == max(together.steps_taken) or (
        together.preference_history.shape[0] % 10 == 0)
    for index, seed in enumerate([3, 4]):
        alone = optimize_shifts(generator, recommender, latents[index : index + 1], USERS, config, seeds=[seed])
        assert alone.steps_taken == [together.steps_taken[index]]
        torch.testing.assert_close(alone.shifts[0], together.shifts[index], atol=1e-5, rtol=1e-4)
        # after it stopped, the item's recorded preference no longer moves
        history = together.preference_history[together.steps_taken[index]:, index]
        assert history.numel() == 0 or torch.allclose(history, history[0].expand_as(history))
