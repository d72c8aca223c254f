"""The venue's circuits, written with the zkats DSL (installed as zkats.circuits)."""
