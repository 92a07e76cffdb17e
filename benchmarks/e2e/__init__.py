"""A tiny Django app for the end-to-end benchmark: two models and typical receivers."""
