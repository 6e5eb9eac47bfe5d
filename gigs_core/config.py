"""Every constant of Algorithm 1, with the paper's values as defaults.

``GigsConfig.authors_scripts()`` switches to what the GIGS authors' own scripts
do where they differ from the paper (``docs/algorithm.md``, "The authors' scripts"),
to reproduce their numbers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

import pydantic

from gigs_core.errors import InvalidOptionsError, describe_validation_error

Normalization = Literal["generator", "row", "batch", "none"]
Schedule = Literal["constant", "cosine"]


def _check_perceptual(value: str) -> str:
    """A registered perceptual distance (``NAME`` or ``NAME:ARGUMENT``)."""
    from gigs_core.method.perceptual import check_perceptual_name

    return check_perceptual_name(value)


PerceptualName = Annotated[str, pydantic.AfterValidator(_check_perceptual)]


class _Config(pydantic.BaseModel):
    # allow_inf_nan=False: ε = inf or a NaN weight is a mistake to report, not a setting to run with
    model_config = pydantic.ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Optimisation(_Config):
    """How a phase's optimisation runs over its steps (both phases take these)."""

    lr_schedule: Schedule = pydantic.Field(
        "constant", description="learning rate over the steps: constant (the paper) or cosine decay to 0 at `steps`"
    )
    stop_patience: int = pydantic.Field(
        0, ge=0, description="early stopping: an item stops once its last `stop_patience` steps brought less than "
        "`stop_tolerance` of its progress so far (inversion: the fall of its loss; shifting: the rise of its mean "
        "group preference); 0 = never (the paper)",
    )
    stop_tolerance: float = pydantic.Field(0.01, gt=0, lt=1, description="see stop_patience")


class InversionConfig(_Optimisation):
    """Inversion: Adam on z minimising perceptual + MSE, z re-normalised after each step."""

    steps: int = pydantic.Field(1000, ge=0, description="T, optimisation steps")
    lr: float = pydantic.Field(0.01, gt=0, description="α1, Adam learning rate on z")
    perceptual: PerceptualName = pydantic.Field(
        "lpips-vgg",
        description="perceptual distance: LPIPS with a pretrained backbone (its weights must be in the "
        "torch hub cache), 'lpips-untrained' (random backbone, explicitly chosen), 'none' (MSE only), or one a "
        "plugin registers, e.g. 'domain:PATH' (features of a domain classifier saved by `gigs train classifier`)",
    )
    perceptual_weight: float = pydantic.Field(1.0, ge=0)
    mse_weight: float = pydantic.Field(1.0, ge=0)
    starts: int = pydantic.Field(
        1, ge=1, le=4096,
        description="start from the best of this many prior samples per item (lowest inversion loss); 1 = the paper",
    )
    normalize: Normalization = pydantic.Field(
        "generator",
        description="re-normalise z after each step: as the generator defines it (standardise each latent for a standard normal prior, the paper), 'row' (standardise each latent), or 'none'",
    )


class ShiftConfig(_Optimisation):
    """Shifting: n clipped shifts around the base latent, a shift predictor keeping them distinct."""

    n: int = pydantic.Field(8, ge=2, description="number of shifting vectors (variants)")
    eps: float = pydantic.Field(0.4, gt=0, description="ε, shifts are clipped to [-ε, ε]")
    steps: int = pydantic.Field(1000, ge=0, description="T, optimisation steps")
    lr_shift: float = pydantic.Field(0.01, gt=0, description="α2, Adam learning rate on the shifts")
    lr_predictor: float = pydantic.Field(0.01, gt=0, description="α3, Adam learning rate on the predictor")
    ce_weight: float = pydantic.Field(1.0, ge=0, description="weight of the predictor's class loss")
    mae_weight: float = pydantic.Field(1.0, ge=0, description="weight of the predictor's shift loss")
    preference_weight: float = pydantic.Field(1.0, ge=0, description="weight of the group preference")
    normalize: Normalization = pydantic.Field(
        "generator",
        description="normalise z + k as the generator defines it (standardise each latent for a standard normal "
        "prior, the paper), 'row' (standardise each latent), over the item's whole batch (authors), or 'none'",
    )
    targets: Literal["fixed", "permuted"] = pydantic.Field(
        "fixed", description="predictor class targets 0..n-1 (paper) or a random permutation each step (authors)"
    )
    predictor_trunk: str = pydantic.Field("timm", description="feature extractor backend of the predictor's trunk")
    predictor_trunk_options: dict[str, Any] = pydantic.Field(default_factory=lambda: {"model": "resnet18"})


class BaselineConfig(_Config):
    """DVBPR's preference maximisation (Kang et al. 2017), the paper's baseline: ``shift.n`` latents
    drawn from the prior, each optimised alone for the group's preference minus η times the
    generator's realism loss (its discriminator's, when it exposes one)."""

    steps: int = pydantic.Field(10, ge=0, description="Adam steps on each latent (Kang et al.: 10)")
    lr: float = pydantic.Field(0.05, gt=0, description="Adam learning rate on the latents (Kang et al.: 0.05)")
    eta: float = pydantic.Field(1.0, ge=0, description="η, weight of the realism term (Kang et al.: 1)")


class ComputeConfig(_Config):
    """How the steps are computed: settings that change speed, not Algorithm 1 (beyond rounding)."""

    precision: Literal["fp32", "bf16"] = pydantic.Field(
        "fp32", description="bf16: the models' forward passes under bfloat16 autocast (losses, latents and optimiser "
        "state stay float32); for CUDA GPUs with bf16 support",
    )
    channels_last: bool = pydantic.Field(False, description="the models' convolutions in channels-last memory format")
    compile: bool = pydantic.Field(False, description="torch.compile the generator (pays off over many steps on CUDA)")
    vectorize: Literal["auto", "on", "off"] = pydantic.Field(
        "auto", description="run the shift predictors of a batch's items as one vectorised module (torch.func); "
        "auto = on CUDA only (on CPU it measured no faster than one by one)",
    )


#: What ``--preset fast`` changes from the paper's settings (benchmarks/step_curves.py measured it).
FAST_PRESET: dict[str, dict[str, Any]] = {
    "inversion": {"steps": 1000, "lr": 0.1, "lr_schedule": "cosine", "starts": 64},
    "shift": {"steps": 300, "lr_shift": 0.02},
}

#: What makes the variants: GIGS's shifts, or DVBPR's preference maximisation (personalised) or its
#: plain samples (non-personalised), the paper's two baselines.
Method = Literal["gigs", "dvbpr-pm", "dvbpr-random"]
METHODS: tuple[str, ...] = get_args(Method)


class GigsConfig(_Config):
    """The whole job's settings."""

    method: Method = pydantic.Field("gigs", description="gigs, or the paper's baselines dvbpr-pm / dvbpr-random")
    inversion: InversionConfig = InversionConfig()
    shift: ShiftConfig = ShiftConfig()
    baseline: BaselineConfig = BaselineConfig()
    compute: ComputeConfig = ComputeConfig()

    @classmethod
    def authors_scripts(cls, **overrides: Any) -> GigsConfig:
        """The settings of the authors' released scripts (batch normalisation, permuted
        targets, 0.1·CE + 1·MAE − 0.3·pref, LPIPS-vgg + MSE, 1000 steps per phase)."""
        shift = ShiftConfig(normalize="batch", targets="permuted", ce_weight=0.1, mae_weight=1.0, preference_weight=0.3)
        return cls(inversion=InversionConfig(perceptual="lpips-vgg"), shift=shift).merged(overrides)

    @classmethod
    def preset(cls, name: str) -> GigsConfig:
        """``paper`` (the defaults), ``authors`` (:meth:`authors_scripts`) or ``fast`` (:meth:`fast`)."""
        presets = {"paper": cls, "authors": cls.authors_scripts, "fast": cls.fast}
        if name not in presets:
            raise InvalidOptionsError(f"unknown preset {name!r}; choose one of {', '.join(presets)}")
        return presets[name]()

    @classmethod
    def fast(cls) -> GigsConfig:
        """The paper's method in fewer shifting steps: higher learning rates, and inversion from the best
        of 64 prior samples with a cosine schedule (``docs/performance.md`` shows the measurements this rests on)."""
        return cls().merged(FAST_PRESET)

    def merged(self, overrides: dict[str, Any]) -> GigsConfig:
        """A copy with nested overrides, e.g. ``{"shift": {"n": 4}}``, validated;
        invalid overrides raise :class:`~gigs_core.errors.InvalidOptionsError`."""
        data = self.model_dump()
        for section, values in overrides.items():
            if isinstance(values, dict) and isinstance(data.get(section), dict):
                data[section].update(values)
            else:
                data[section] = values
        try:
            return GigsConfig.model_validate(data)
        except pydantic.ValidationError as exc:
            raise InvalidOptionsError(f"invalid settings: {describe_validation_error(exc, 'settings')}") from None
