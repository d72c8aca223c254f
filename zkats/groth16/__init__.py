"""Groth16 over BN254, one module per stage (arkworks style):
``data_structures`` (keys, proofs), ``generator`` (per-circuit setup),
``prover``, ``verifier`` (single and batch), ``r1cs_to_qap`` (the QAP
domain and quotient computation shared by setup and prover)."""
