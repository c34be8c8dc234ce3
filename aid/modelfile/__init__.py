"""Saved models and the metadata that travels with them."""
