"""rosinality stylegan2-pytorch files (training and converted layouts, a bare state dict),
gigs' own files, the channel table, and one-line errors for NVlabs pickles, other
architectures, mismatched and unknown files and misused options."""

import argparse
import pickle

import pytest
import torch
from stylegan2_helpers import TINY, save_converted, save_training, seeded, with_random_biases

from gigs_core import create_generator
from gigs_core.errors import CheckpointError, InvalidOptionsError
from gigs_stylegan2.architecture import Architecture, standard_channels
from gigs_stylegan2.loading import estimate_mean_w
from gigs_stylegan2.native_format import save_generator
from gigs_stylegan2.network import StyleGan2Network


def tiny(**options):
    return with_random_biases(create_generator("stylegan2", **{**TINY, **options}))


def images(generator, seed=0):
    with torch.no_grad():
        return generator(generator.sample_latent(2, generator=torch.Generator().manual_seed(seed)))


def one_line_error(path, match, **options):
    with pytest.raises(CheckpointError, match=match) as info:
        create_generator("stylegan2", checkpoint=path, **options)
    assert "\n" not in str(info.value)
    return str(info.value)


def rosinality_shapes(style_dim, n_mlp, channels):
    """Key → shape of rosinality's ``Generator(size, style_dim, n_mlp).state_dict()`` for sizes 4 and 8,
    written out from its model.py (``channels`` = widths at 4 and 8)."""
    c4, c8 = channels
    shapes = {}
    for layer in range(1, n_mlp + 1):
        shapes |= {f"style.{layer}.weight": (style_dim, style_dim), f"style.{layer}.bias": (style_dim,)}

    def styled(prefix, cin, cout, k=3):
        return {f"{prefix}.conv.weight": (1, cout, cin, k, k), f"{prefix}.conv.modulation.weight": (cin, style_dim),
                f"{prefix}.conv.modulation.bias": (cin,)}

    shapes |= {"input.input": (1, c4, 4, 4), **styled("conv1", c4, c4), "conv1.noise.weight": (1,),
               "conv1.activate.bias": (c4,), **styled("to_rgb1", c4, 3, 1), "to_rgb1.bias": (1, 3, 1, 1),
               "noises.noise_0": (1, 1, 4, 4)}
    shapes |= {**styled("convs.0", c4, c8), "convs.0.conv.blur.kernel": (4, 4), "convs.0.noise.weight": (1,),
               "convs.0.activate.bias": (c8,), **styled("convs.1", c8, c8), "convs.1.noise.weight": (1,),
               "convs.1.activate.bias": (c8,), **styled("to_rgbs.0", c8, 3, 1), "to_rgbs.0.bias": (1, 3, 1, 1),
               "to_rgbs.0.upsample.kernel": (4, 4), "noises.noise_1": (1, 1, 8, 8), "noises.noise_2": (1, 1, 8, 8)}
    return shapes


def test_state_dict_keys_and_shapes_are_rosinalitys():
    arch = Architecture(style_dim=5, n_mlp=3, channels=(8, 6))
    state = StyleGan2Network(arch).state_dict()
    assert {key: tuple(value.shape) for key, value in state.items()} == rosinality_shapes(5, 3, (8, 6))
    assert Architecture.of_state_dict(state, "test") == arch
    assert (arch.size, arch.n_latent, arch.noise_layers) == (8, 4, 3)


def test_channel_table_is_rosinalitys():
    # model.py: 4…32 → 512, 64 → 256·m, 128 → 128·m, 256 → 64·m, 512 → 32·m, 1024 → 16·m
    assert standard_channels(1024, 2) == (512, 512, 512, 512, 512, 256, 128, 64, 32)
    assert standard_channels(256, 1) == (512, 512, 512, 512, 256, 128, 64)
    assert standard_channels(64, 2, max_channels=16) == (16,) * 5
    with pytest.raises(ValueError, match="power of two"):
        standard_channels(48)


@pytest.mark.parametrize("latent_space", ["z", "w", "w+"])
def test_converted_layout_round_trip(latent_space, tmp_path):
    generator = tiny(latent_space=latent_space, truncation=0.6)
    latent_avg = seeded((8,), 3)
    path = save_converted(generator, tmp_path / "converted.pt", latent_avg=latent_avg)
    assert set(torch.load(path, weights_only=True)) == {"g_ema", "latent_avg"}
    loaded = create_generator("stylegan2", checkpoint=path, latent_space=latent_space, truncation=0.6)
    assert torch.equal(loaded.latent_avg, latent_avg)
    generator.latent_avg.copy_(latent_avg)
    torch.testing.assert_close(images(loaded), images(generator), rtol=0, atol=0)


def test_training_layout_round_trip_uses_g_ema_and_estimates_the_mean(tmp_path):
    generator = tiny(latent_space="w")
    path = save_training(generator, tmp_path / "000100.pt")
    with torch.serialization.safe_globals([argparse.Namespace]):
        entries = set(torch.load(path, weights_only=True))
    assert entries == {"g", "d", "g_ema", "g_optim", "d_optim", "args", "ada_aug_p"}
    loaded = create_generator("stylegan2", checkpoint=path, latent_space="w")
    torch.testing.assert_close(images(loaded), images(generator), rtol=0, atol=0)
    torch.testing.assert_close(loaded.latent_avg, estimate_mean_w(generator.network))  # no latent_avg stored


def test_a_bare_state_dict_with_a_data_parallel_prefix_loads(tmp_path):
    generator = tiny()
    torch.save({f"module.{key}": value for key, value in generator.network.state_dict().items()}, tmp_path / "g.pt")
    torch.testing.assert_close(images(create_generator("stylegan2", checkpoint=tmp_path / "g.pt")), images(generator))


def test_any_architecture_loads_from_its_shapes(tmp_path):
    network = StyleGan2Network(Architecture(style_dim=6, n_mlp=0, channels=(4, 8, 2)))
    torch.save({"g_ema": network.state_dict(), "latent_avg": torch.zeros(1, 6)}, tmp_path / "odd.pt")
    loaded = create_generator("stylegan2", checkpoint=tmp_path / "odd.pt", latent_space="w+")
    assert loaded.network.arch == network.arch and loaded.latent_shape == (6, 6) and loaded.resolution == 16


def test_gigs_files_keep_the_mean_w(tmp_path):
    generator = tiny(latent_space="w+")
    generator.latent_avg.copy_(seeded((8,), 4))
    path = save_generator(generator, tmp_path / "g.safetensors")
    loaded = create_generator("stylegan2", checkpoint=path, latent_space="w")
    assert torch.equal(loaded.latent_avg, generator.latent_avg)
    assert torch.equal(loaded.inversion_start(1)[0], generator.latent_avg)


def test_nvlabs_pickles_are_refused_without_being_unpickled(tmp_path):
    tensorflow = tmp_path / "stylegan2-ffhq-config-f.pkl"
    tensorflow.write_bytes(b"\x80\x02cdnnlib.tflib.network\nNetwork\nq\x00)\x81q\x01.")
    message = one_line_error(tensorflow, "NVlabs StyleGAN pickle")
    assert "convert_weight.py" in message and "cannot be loaded without executing its code" in message

    witness = tmp_path / "executed"

    class Payload:
        def __reduce__(self):
            return exec, (f"open({str(witness)!r}, 'w').write('ran')",)

    ada = tmp_path / "network-snapshot.pkl"
    ada.write_bytes(pickle.dumps({"G_ema": "torch_utils.persistence", "payload": Payload()}))
    one_line_error(ada, "convert_weight.py")
    assert not witness.exists()


def test_other_architectures_and_unknown_files_are_one_line_errors(tmp_path):
    save_training(tiny(), tmp_path / "swagan.pt", arch="swagan")
    one_line_error(tmp_path / "swagan.pt", "'swagan' checkpoint")
    torch.save({"generator": {}, "optimizer": {}}, tmp_path / "other.pt")
    one_line_error(tmp_path / "other.pt", "not a rosinality stylegan2-pytorch checkpoint: expected 'g_ema'")
    torch.save([1, 2], tmp_path / "list.pt")
    one_line_error(tmp_path / "list.pt", "not a rosinality stylegan2-pytorch checkpoint")
    (tmp_path / "garbage.pt").write_bytes(b"not a checkpoint at all")
    one_line_error(tmp_path / "garbage.pt", "not a checkpoint gigs can read safely")
    torch.save({"style.1.weight": torch.zeros(2, 2)}, tmp_path / "empty.pt")
    one_line_error(tmp_path / "empty.pt", "not a rosinality stylegan2-pytorch checkpoint")


def test_mismatched_states_are_one_line_errors(tmp_path):
    state = tiny().network.state_dict()
    del state["convs.1.noise.weight"]
    torch.save({"g_ema": state}, tmp_path / "missing.pt")
    one_line_error(tmp_path / "missing.pt", r"missing keys \[convs.1.noise.weight\]")
    state = tiny().network.state_dict()
    state["to_rgb1.bias"] = torch.zeros(1, 4, 1, 1)
    torch.save({"g_ema": state}, tmp_path / "shape.pt")
    one_line_error(tmp_path / "shape.pt", "does not fit StyleGan2Network")
    torch.save({"g_ema": tiny().network.state_dict(), "latent_avg": torch.zeros(5)}, tmp_path / "avg.pt")
    one_line_error(tmp_path / "avg.pt", "'latent_avg' should hold 8 values")
    from safetensors.torch import save_file

    save_file({"x": torch.zeros(1)}, str(tmp_path / "alone.safetensors"))
    one_line_error(tmp_path / "alone.safetensors", "without a gigs StyleGAN2 config")


def test_options_are_checked_before_loading(tmp_path):
    path = save_converted(tiny(), tmp_path / "g.pt")
    for options, match in [({"checkpoint": path, "size": 16}, "options size only apply to a fresh model"),
                           ({"size": 12}, "power of two from 4 to 1024"), ({"size": 2048}, "power of two"),
                           ({"truncation": 1.5}, "truncation"), ({"latent_space": "s"}, "latent_space"),
                           ({"checkpoint": tmp_path / "nowhere.pt"}, "does not exist")]:
        with pytest.raises(InvalidOptionsError, match=match):
            create_generator("stylegan2", **options)


def test_args_may_be_any_namespace(tmp_path):
    generator = tiny()
    torch.save({"g_ema": generator.network.state_dict(), "args": argparse.Namespace(size=8)}, tmp_path / "g.pt")
    torch.testing.assert_close(images(create_generator("stylegan2", checkpoint=tmp_path / "g.pt")), images(generator))
