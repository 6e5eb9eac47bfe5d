"""The ``ground-truth`` recommender: synthetic users' true utility as a gigs recommender.

See ``docs/data.md`` (synthetic users) and :mod:`gigs_synthetic.users`.
"""
