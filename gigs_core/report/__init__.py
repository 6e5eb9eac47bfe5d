"""Results of a run and everything that writes them: ``report.json``, ``report.html``,
the contact sheet, and the line charts trainers draw."""
