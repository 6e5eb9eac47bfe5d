"""StyleGAN2 (Karras et al., CVPR 2020) for gigs: a generator that loads rosinality
``stylegan2-pytorch`` checkpoints (training or converted layout) and gigs' own files, in
pure PyTorch, and inverts and shifts in z, W or W+.

Importing this package is cheap; torch is imported by the submodules that need it.
"""
