"""timm-based feature extractors for gigs (shift-predictor trunks, perceptual features)."""
