"""Saving a trained BigGAN network as a ``pytorch-pretrained-BigGAN`` folder the ``biggan``
generator loads: ``config.json`` (the architecture, the class names as ``labels``, and a
``training`` record) and ``pytorch_model.bin`` (the state dict, the reference's key names).

Before saving, the network gets what inference reads but training never sets: the exact
leading singular vectors of every spectral-norm weight, and *standing statistics*
(Brock et al. 2019, appendix C): for each of the ``n_stats`` truncations
``t = i / (n_stats − 1)`` the mean and variance every batch norm sees over samples of
noise ``t · truncnorm(−2, 2)`` and uniformly drawn classes, pooled over all samples (the
variance is the biased one, as training normalises by it).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import torch

from gigs_biggan.latent import truncated_normal
from gigs_biggan.layers import TruncationBatchNorm
from gigs_biggan.loading import WEIGHTS_FILE
from gigs_biggan.network import BigGanNetwork
from gigs_core.training.run_files import model_folder


@torch.no_grad()
def fill_standing_statistics(network: BigGanNetwork, *, samples: int, batch_size: int, seed: int) -> None:
    """Store, in every batch norm's row ``i``, the statistics of ``samples`` draws at truncation
    ``i / (n_stats − 1)`` (the same seeded draws at every truncation, scaled)."""
    architecture = network.architecture
    norms = [module for module in network.modules() if isinstance(module, TruncationBatchNorm)]
    device = norms[0].running_means.device
    was_training = network.training
    network.train()
    rng = torch.Generator().manual_seed(seed)
    draws = [(truncated_normal((n, architecture.z_dim), generator=rng),
              torch.randint(architecture.num_classes, (n,), generator=rng))
             for n in _chunks(samples, batch_size)]
    for row in range(architecture.n_stats):
        truncation = row / (architecture.n_stats - 1)
        sums = {norm: [0.0, 0.0, 0] for norm in norms}  # Σx, Σx², count per channel

        def record(norm, inputs, _sums=sums):
            values = inputs[0].detach().double()
            _sums[norm][0] = _sums[norm][0] + values.sum(dim=(0, 2, 3))
            _sums[norm][1] = _sums[norm][1] + values.square().sum(dim=(0, 2, 3))
            _sums[norm][2] += values.numel() // values.shape[1]

        hooks = [norm.register_forward_pre_hook(record) for norm in norms]
        try:
            for noise, classes in draws:
                embedding = network.embeddings.weight[:, classes.to(device)].t()
                network((truncation * noise).to(embedding), embedding, truncation)
        finally:
            for hook in hooks:
                hook.remove()
        for norm, (total, squares, count) in sums.items():
            mean = total / count
            norm.running_means[row] = mean.to(norm.running_means)
            norm.running_vars[row] = (squares / count - mean.square()).clamp(min=0).to(norm.running_vars)
    network.train(was_training)


def inference_copy(network: BigGanNetwork, *, samples: int, batch_size: int, seed: int) -> BigGanNetwork:
    """A copy of ``network`` ready to save: exact singular vectors, standing statistics, eval mode."""
    ready = copy.deepcopy(network)
    ready.set_singular_vectors()
    fill_standing_statistics(ready, samples=samples, batch_size=batch_size, seed=seed)
    return ready.eval()


def save_folder(network: BigGanNetwork, folder: Path, *, labels: list[str], training: dict[str, Any]) -> Path:
    """Write ``network`` as a generator folder at ``folder``, replacing an existing one (only one a
    trainer wrote) once the new one is complete (a kill leaves the old folder or the new one)."""
    folder = Path(folder)
    with model_folder(folder) as staging:
        config = {**network.architecture.to_json(), "labels": list(labels), "training": training}
        (staging / "config.json").write_text(json.dumps(config, indent=2))
        torch.save({key: value.detach().cpu() for key, value in network.state_dict().items()},
                   staging / WEIGHTS_FILE)
    return folder


def _chunks(total: int, size: int) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]
