"""The ``gigs`` command line. Importing it must not import torch."""
