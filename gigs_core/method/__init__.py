"""Algorithm 1 of GIGS: latents, perceptual distances, inversion, shifting, user groups and
the pipeline that composes them. Small pure functions plus thin loops; no file I/O."""
