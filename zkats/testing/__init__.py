"""Test tooling shipped with zkats (soundness mutation testing)."""
