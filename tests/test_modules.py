"""gigs_core.method.modules: the helpers that put models in the state a phase needs and back."""

import torch
from torch import nn

from gigs_core.method.modules import frozen


def test_frozen_evaluates_without_weight_gradients_inside():
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).train()
    with frozen(model):
        assert not any(module.training for module in model.modules())
        assert not any(parameter.requires_grad for parameter in model.parameters())


def test_frozen_restores_each_submodules_own_mode_and_gradient_flag():
    # a distance in training mode that wraps a classifier in evaluation mode (the domain distance's shape):
    # restoring the parent with train(True) would put the classifier's batch norm in training mode
    classifier = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    wrapper = nn.ModuleDict({"classifier": classifier, "head": nn.Linear(2, 1)}).train()
    classifier.eval().requires_grad_(False)
    with frozen(wrapper):
        pass
    assert wrapper.training and wrapper["head"].training
    assert not any(module.training for module in classifier.modules())
    assert not any(parameter.requires_grad for parameter in classifier.parameters())
    assert all(parameter.requires_grad for parameter in wrapper["head"].parameters())


def test_frozen_restores_after_an_error():
    model = nn.Linear(2, 2).train()
    try:
        with frozen(model):
            raise RuntimeError("inside")
    except RuntimeError:
        pass
    assert model.training and model.weight.requires_grad


def test_a_batch_norm_classifier_gives_the_same_distance_before_and_after_a_frozen_phase():
    torch.manual_seed(0)
    classifier = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)).eval()
    wrapper = nn.ModuleDict({"classifier": classifier})
    inputs = torch.randn(5, 3)
    before = classifier(inputs)
    with frozen(wrapper):
        pass
    classifier(inputs * 3 + 1)  # would update the running statistics in training mode
    assert torch.equal(classifier(inputs), before)
