"""DVBPR (Kang et al., ICDM 2017) as a gigs recommender: CNN-F φ and per-user θ.

See ``docs/backends/dvbpr.md``. The model lives in :mod:`gigs_dvbpr.model`,
training in :mod:`gigs_dvbpr.training`; :mod:`gigs_dvbpr.plugin` registers it.
"""
