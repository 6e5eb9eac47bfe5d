"""Small random-weight backends for plumbing, tutorials and benchmarks.

Their weights are drawn from a seed, not trained: the images they make and the
preferences they give mean nothing. Use them to try gigs end to end in seconds,
to time the optimizer, or as a template for a real backend.
"""
