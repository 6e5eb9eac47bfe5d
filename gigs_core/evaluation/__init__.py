"""``gigs eval``: the protocols of the paper's Tables 2–5 on any catalogue (docs/eval.md).

``protocols`` plans the cells of each table (one GIGS run each), ``cells`` runs one and keeps
its per-unit values, ``store`` keeps finished cells so a run resumes, ``tables`` turns the
stored cells into mean ± std tables, and ``writers`` draws the plots and the HTML summary.
"""
