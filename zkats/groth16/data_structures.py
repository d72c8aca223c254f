"""Groth16 keys and proofs (arkworks' ``data_structures``): the records
themselves live in :mod:`zkats.groth16_data`, below the file formats that
read and write them."""

from ..groth16_data import Proof, VerifyingKey

__all__ = ["Proof", "VerifyingKey"]
