"""VBPR-style recommenders on timm backbones for gigs."""
