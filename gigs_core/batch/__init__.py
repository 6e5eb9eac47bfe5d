"""``gigs batch``: GIGS for every (item, segment) pair of a catalogue, resumable, on one
machine or a Ray cluster.

* :mod:`~gigs_core.batch.jobs` — items, segments, jobs, their stable keys and seeds;
* :mod:`~gigs_core.batch.items`, :mod:`~gigs_core.batch.segments` — reading ``--items``
  and ``--segments`` (:mod:`~gigs_core.batch.csv_table` for their CSV files);
* :mod:`~gigs_core.batch.runner` — what runs a batch of jobs (explicit backends, or the
  default run a plugin registered), :mod:`~gigs_core.batch.worker` — one engine worker;
* :mod:`~gigs_core.batch.engine_local`, :mod:`~gigs_core.batch.engine_ray` — the engines;
* :mod:`~gigs_core.batch.store` — the output folder, each job written atomically;
* :mod:`~gigs_core.batch.driver` — which jobs to run, and streaming their outcomes to the store;
* :mod:`~gigs_core.batch.summary`, :mod:`~gigs_core.batch.index_html` — the summary table
  and the index page.

See docs/batch.md.
"""
