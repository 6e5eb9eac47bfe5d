"""ProGAN (Karras et al., 2018) for gigs: a generator that loads akanimax
``pro_gan_pytorch`` files, facebookresearch ``pytorch_GAN_zoo`` PGAN checkpoints
and gigs' own safetensors files, and trains on a catalogue.

Importing this package is cheap; torch is imported by the submodules that need it.
"""
