"""Rulebooks as artefacts: one versioned, digest-named archive with a rulebook, its parents and
overlays, its sources catalogues and its tests; optionally signed (detached CMS, same keys)."""
