"""BigGAN generators (Hugging Face pytorch-pretrained-BigGAN folders) for gigs."""
