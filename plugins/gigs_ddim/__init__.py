"""The ``ddim`` generator: a diffusers UNet sampled by deterministic DDIM, whose latent is
the initial noise image."""
