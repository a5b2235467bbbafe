"""Monthly and weekly reports: ``period`` parses 2026-11 / 2026-W45, ``data`` reads pass rates,
trend, monitoring coverage, call loss and corrective actions from the archive, ``charts`` draws
SVG with matplotlib, ``labels`` holds the five languages' texts (Babel for dates and numbers),
``render`` writes HTML and PDF, ``build`` puts it together (from an archive, or from records
evaluated on the spot)."""
