"""Metrics every backend can use: ranking metrics (sampled and full AUC) for recommenders,
image fidelity (PSNR) for reconstructions."""
