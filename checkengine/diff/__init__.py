"""Rulebook change impact: what changed rule by rule (``rules``), and which past records and
aggregate groups would get another outcome (``replay``, run by ``run`` over an archive or record
files), reported as text, JSON or Markdown (``render``)."""
