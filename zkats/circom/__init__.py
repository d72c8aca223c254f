"""circom's own artifacts: the ``.wasm`` witness calculator run in-process
(:mod:`.wasm_witness`), the input JSON it takes (:mod:`.inputs`) and the
``.sym`` signal names (:mod:`.sym`)."""
