"""Tests of impact/indicators and impact/filters (a package, so its module names never clash with tests/equity)."""
