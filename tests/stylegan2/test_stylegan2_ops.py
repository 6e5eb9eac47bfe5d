"""StyleGAN2's operations against known answers: the FIR filter's convolution convention
and upsampling, the fused activation, and the modulated convolution against the paper's
formula (Karras et al. 2020, Eq. 1 and 3: w'_oik = s_i·w_oik, w''_oik = w'_oik / √(Σ_ik w'²_oik + ε))."""

import math

import torch
import torch.nn.functional as F
from stylegan2_helpers import seeded

from gigs_stylegan2.layers import ModulatedConv2d, Upsample
from gigs_stylegan2.ops import blur_kernel, fused_leaky_relu, upfirdn2d


def test_the_filter_is_a_true_convolution():
    kernel = seeded((3, 3), 0)
    impulse = torch.zeros(1, 1, 4, 4)
    impulse[0, 0, 0, 0] = 1.0
    response = upfirdn2d(impulse, kernel, pad=(2, 2))
    torch.testing.assert_close(response[0, 0, :3, :3], kernel)  # not the flipped kernel (a correlation)
    assert response.shape == (1, 1, 6, 6)


def test_blur_kernel_is_the_normalised_outer_product_of_1_3_3_1():
    taps = torch.tensor([1.0, 3.0, 3.0, 1.0])
    torch.testing.assert_close(blur_kernel(), torch.outer(taps, taps) / 64)
    torch.testing.assert_close(blur_kernel(2).sum(), torch.tensor(4.0))


def test_upsampling_keeps_a_constant_inside_and_equals_a_strided_transposed_convolution():
    up = Upsample()
    constant = torch.full((1, 2, 4, 4), 3.0)
    torch.testing.assert_close(up(constant)[..., 1:-1, 1:-1], torch.full((1, 2, 6, 6), 3.0))
    x = seeded((2, 3, 5, 5), 1)
    kernel = up.kernel
    # zero insertion + padding (2, 1) + a 4-tap convolution is the stride-2 transposed convolution, shifted by one
    transposed = F.conv_transpose2d(x, kernel[None, None].expand(3, 1, 4, 4), stride=2, groups=3)
    torch.testing.assert_close(up(x), transposed[..., 1:11, 1:11])


def test_fused_leaky_relu_adds_the_bias_and_scales_by_root_two():
    out = fused_leaky_relu(torch.tensor([[-1.0, 2.0]]), torch.tensor([0.5, -0.5]))
    torch.testing.assert_close(out, torch.tensor([[-0.5 * 0.2, 1.5]]) * math.sqrt(2.0))


def _papers_weights(conv, w, demodulate):
    styles = conv.modulation(w)
    fan_in = conv.weight.shape[2] * conv.weight.shape[3] * conv.weight.shape[4]
    modulated = conv.weight[0][None] / math.sqrt(fan_in) * styles[:, None, :, None, None]
    if demodulate:
        modulated = modulated / (modulated.pow(2).sum(dim=(2, 3, 4), keepdim=True) + 1e-8).sqrt()
    return modulated


def test_modulated_convolution_equals_the_papers_per_sample_weights():
    torch.manual_seed(0)
    for demodulate in (True, False):
        conv = ModulatedConv2d(5, 4, 3, 6, demodulate=demodulate)
        with torch.no_grad():
            conv.modulation.bias.add_(seeded((5,), 2))
        x, w = seeded((3, 5, 7, 7), 3), seeded((3, 6), 4)
        weights = _papers_weights(conv, w, demodulate)
        expected = torch.cat([F.conv2d(x[b : b + 1], weights[b], padding=1) for b in range(3)])
        with torch.no_grad():
            torch.testing.assert_close(conv(x, w), expected, atol=1e-5, rtol=1e-4)
        if demodulate:  # every output channel's weights have unit norm
            torch.testing.assert_close(weights.pow(2).sum(dim=(2, 3, 4)), torch.ones(3, 4))


def test_demodulation_cancels_the_style_scale():
    torch.manual_seed(1)
    conv = ModulatedConv2d(5, 4, 3, 6, upsample=True)
    x, w = seeded((2, 5, 4, 4), 5), seeded((2, 6), 6)
    with torch.no_grad():
        before = conv(x, w)
        conv.modulation.weight.mul_(3.0)
        conv.modulation.bias.mul_(3.0)
        torch.testing.assert_close(conv(x, w), before, atol=1e-5, rtol=1e-4)
    assert before.shape == (2, 4, 8, 8)
