"""Shared helpers of the ProGAN tests."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture
def akanimax(monkeypatch):
    """The reference package ``pro_gan_pytorch`` (PyPI ``pro-gan-pth`` 3.x), importable
    with today's torch.

    Its ``EqualizedConvTranspose2d.forward`` calls torch's private
    ``_output_padding`` with the torch-1.10 signature; torch ≥ 1.12 added a
    ``num_spatial_dims`` argument. The shim supplies it (2-D) and changes nothing
    else: with ``output_size=None`` — the only way the package calls it — the
    result is the layer's ``output_padding``, as it was in torch 1.10.
    """
    networks = pytest.importorskip("pro_gan_pytorch.networks")
    from pro_gan_pytorch import custom_layers

    original = torch.nn.ConvTranspose2d._output_padding

    def output_padding(self, input, output_size, stride, padding, kernel_size, *args, **kwargs):
        if args or kwargs:
            return original(self, input, output_size, stride, padding, kernel_size, *args, **kwargs)
        return original(self, input, output_size, stride, padding, kernel_size, 2, self.dilation)

    monkeypatch.setattr(custom_layers.EqualizedConvTranspose2d, "_output_padding", output_padding)
    return networks
