"""Linting rulebooks, sources catalogues, waivers and rulebook tests."""
