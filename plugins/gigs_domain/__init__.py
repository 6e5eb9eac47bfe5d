"""The domain classifier: a small CNN trained on a catalogue's categories. It judges
generated samples (``benchmarks/generator_quality.py``) and its features give the
``domain:PATH`` perceptual distance for catalogues where LPIPS's ImageNet backbone
is absent or out of domain. ``gigs train classifier`` trains it."""
