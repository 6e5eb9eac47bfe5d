"""pytorch_GAN_zoo PGAN checkpoints: read without their code, same images as their
generator's formulas computed independently here."""

from __future__ import annotations

import math
import sys
import types

import pytest
import torch
import torch.nn.functional as F
from progan_helpers import seeded_latents

from gigs_core import create_generator
from gigs_core.errors import CheckpointError


def _zoo_modules():
    """Fake ``models.utils.config`` modules holding a ``BaseConfig`` like theirs, so the
    checkpoint pickles the object under their class path."""
    models, utils, config = (types.ModuleType(n) for n in ("models", "models.utils", "models.utils.config"))

    class BaseConfig:
        pass

    BaseConfig.__module__ = "models.utils.config"
    BaseConfig.__qualname__ = "BaseConfig"
    config.BaseConfig = BaseConfig
    models.utils, utils.config = utils, config
    return {"models": models, "models.utils": utils, "models.utils.config": config}, BaseConfig


def _gnet_state(depths, latent, channels, seed):
    """Random tensors with GNet's keys and shapes (biases non-zero so their scaling matters)."""
    g = torch.Generator().manual_seed(seed)

    def pair(out_c, in_c, k=None):
        shape = (out_c, in_c) if k is None else (out_c, in_c, k, k)
        return torch.randn(shape, generator=g), 0.5 * torch.randn(out_c, generator=g)

    state = {}

    def put(prefix, weight_bias):
        state[f"{prefix}.module.weight"], state[f"{prefix}.module.bias"] = weight_bias

    put("formatLayer", pair(16 * depths[0], latent))
    put("groupScale0.0", pair(depths[0], depths[0], 3))
    for scale in range(len(depths) - 1):
        put(f"scaleLayers.{scale}.0", pair(depths[scale + 1], depths[scale], 3))
        put(f"scaleLayers.{scale}.1", pair(depths[scale + 1], depths[scale + 1], 3))
    for level, depth in enumerate(depths):
        put(f"toRGBLayers.{level}", pair(channels, depth, 1))
    return state


def _write_checkpoint(monkeypatch, path, *, depths, latent=12, channels=3, alpha=0.0, loss="WGANGP",
                      equalized=True, leak=0.2, as_dict=False):
    modules, BaseConfig = _zoo_modules()
    fields = dict(depthScale0=depths[0], depthOtherScales=list(depths[1:]), latentVectorDim=latent,
                  noiseVectorDim=latent, dimOutput=channels, alpha=alpha, lossCriterion=loss,
                  equalizedlR=equalized, leakyReluLeak=leak, perChannelNormalization=True,
                  initBiasToZero=True, miniBatchStdDev=True, learningRate=0.001, attribKeysOrder=None,
                  categoryVectorDim=0, lambdaGP=10.0, epsilonD=0.001, GDPP=False)
    config = dict(fields)
    if not as_dict:
        config = BaseConfig()
        vars(config).update(fields)
    checkpoint = {"config": config, "netG": _gnet_state(depths, latent, channels, 1),
                  "avgG": _gnet_state(depths, latent, channels, 2),
                  "netD": {"decisionLayer.module.weight": torch.randn(1, depths[0])}}
    with monkeypatch.context() as patch:
        for name, module in modules.items():
            patch.setitem(sys.modules, name, module)
        torch.save(checkpoint, path)
    assert "models.utils.config" not in sys.modules  # loading must not need their code
    return checkpoint, fields


def _their_gnet(state, cfg, z):
    """GNet.forward written out from their formulas: equalised layers scale the
    whole output by sqrt(2/fan_in); Upscale2d repeats pixels; alpha blends the
    upsampled previous RGB output in with weight alpha."""
    leak = cfg["leakyReluLeak"]

    def layer(prefix, x, padding=0):
        weight, bias = state[f"{prefix}.module.weight"], state[f"{prefix}.module.bias"]
        y = F.linear(x, weight, bias) if weight.ndim == 2 else F.conv2d(x, weight, bias, padding=padding)
        return y * math.sqrt(2.0 / math.prod(weight.shape[1:])) if cfg["equalizedlR"] else y

    def norm(x):
        return x * ((x ** 2).mean(dim=1, keepdim=True) + 1e-8).rsqrt()

    def upscale(x):
        return x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)

    scales = len(cfg["depthOtherScales"])
    alpha = cfg["alpha"]
    x = norm(z)
    x = F.leaky_relu(layer("formatLayer", x), leak).view(z.shape[0], -1, 4, 4)
    x = norm(x)
    x = norm(F.leaky_relu(layer("groupScale0.0", x, 1), leak))
    y = None
    if alpha > 0 and scales == 1:
        y = upscale(layer("toRGBLayers.0", x))
    for scale in range(scales):
        x = upscale(x)
        for conv in (0, 1):
            x = norm(F.leaky_relu(layer(f"scaleLayers.{scale}.{conv}", x, 1), leak))
        if alpha > 0 and scale == scales - 2:
            y = upscale(layer(f"toRGBLayers.{scales - 1}", x))
    x = layer(f"toRGBLayers.{scales}", x)
    if alpha > 0:
        x = alpha * y + (1.0 - alpha) * x
    if cfg["lossCriterion"] in ("MSE", "DCGAN"):
        x = torch.tanh(x)
    return x


CASES = {
    "three-scales": dict(depths=(16, 16, 8)),
    "one-scale-grey": dict(depths=(8,), channels=1),
    "fading-two-scales": dict(depths=(8, 8), alpha=0.4),
    "fading-three-scales": dict(depths=(8, 8, 4), alpha=0.75, latent=20),
    "dcgan-tanh": dict(depths=(8, 4), loss="DCGAN", leak=0.1),
    "not-equalised": dict(depths=(8, 8), equalized=False),
    "config-as-dict": dict(depths=(8, 8), as_dict=True),
}


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("weights", ["ema", "plain"])
def test_known_answer(monkeypatch, tmp_path, case, weights):
    path = tmp_path / "pgan.pth"
    checkpoint, cfg = _write_checkpoint(monkeypatch, path, **CASES[case])
    ours = create_generator("progan", checkpoint=path, weights=weights)
    depths = CASES[case]["depths"]
    assert ours.resolution == 4 * 2 ** (len(depths) - 1)
    assert ours.latent_dim == cfg["latentVectorDim"] and ours.channels == cfg["dimOutput"]
    z = seeded_latents(4, cfg["latentVectorDim"])
    expected = _their_gnet(checkpoint["avgG" if weights == "ema" else "netG"], cfg, z)
    with torch.no_grad():
        native = ours.synthesize(z)
        images = ours(z)
    scale = expected.abs().max().clamp(min=1.0)
    assert (native - expected).abs().max() <= 1e-5 * scale
    assert (images - ((expected + 1) / 2).clamp(0, 1)).abs().max() <= 1e-5 * scale


def test_forced_format_and_detection(monkeypatch, tmp_path):
    path = tmp_path / "pgan.pth"
    _write_checkpoint(monkeypatch, path, depths=(8, 8))
    z = seeded_latents(2, 12)
    with torch.no_grad():
        torch.testing.assert_close(create_generator("progan", checkpoint=path)(z),
                                   create_generator("progan", checkpoint=path, format="gan-zoo")(z))
    with pytest.raises(CheckpointError, match="shadow_generator"):
        create_generator("progan", checkpoint=path, format="akanimax")


def test_weights_of_other_scales_list_keys(monkeypatch, tmp_path):
    path = tmp_path / "pgan.pth"
    checkpoint, fields = _write_checkpoint(monkeypatch, path, depths=(8, 8, 8))
    checkpoint["config"] = {**fields, "depthOtherScales": [8]}  # config says two levels, weights have three
    torch.save(checkpoint, path)
    with pytest.raises(CheckpointError) as info:
        create_generator("progan", checkpoint=path)
    message = str(info.value)
    assert "missing keys []" in message
    assert "scaleLayers.1.0.module.bias" in message and "toRGBLayers.2.module.weight" in message


class _Exploit:
    def __reduce__(self):
        import os

        return (os.system, ("touch /tmp/gigs-progan-pwned",))


def test_code_in_the_file_is_never_run(tmp_path):
    path = tmp_path / "evil.pth"
    marker = "/tmp/gigs-progan-pwned"
    import os

    if os.path.exists(marker):
        os.remove(marker)
    torch.save({"config": _Exploit(), "netG": {}, "avgG": {}}, path)
    with pytest.raises(CheckpointError) as info:
        create_generator("progan", checkpoint=path)
    assert "\n" not in str(info.value)
    assert not os.path.exists(marker)
