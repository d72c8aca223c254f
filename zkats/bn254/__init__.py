"""The Python face of the native BN254 core (``native/``, built as the cffi
extension ``zkats._native``; :mod:`zkats.bn254._lib` is the only module that
loads it).  Import from here: ``from zkats.bn254 import msm_g1``.

Conventions
-----------
* Plain-int API: G1 affine points are ``(x, y)`` int tuples, G2 affine points
  ``((x_c0, x_c1), (y_c0, y_c1))``; ``None`` is the point at infinity.
  Scalars are Python ints (reduced mod r by the caller or here, as stated).
  These paths run on cdata buffers and never import numpy.
* Bulk API (``*_array``): numpy ``uint64`` arrays, C-contiguous.  Field
  elements are 4 little-endian limbs.  Points and Fr vectors are in
  Montgomery form (as snarkjs stores them in ``.zkey``/``.ptau``), so file
  sections can be handed over without conversion; MSM scalars are canonical
  (standard form).  A G1 point is 8 limbs (x, y), a G2 point 16 limbs
  (x.c0, x.c1, y.c0, y.c1); the all-zero point encodes infinity.
* ``threads=None`` means all cores.

Modules (each wraps the native files named in its docstring):
``buffers`` (aligned cdata views, limb buffers, lazy numpy), ``fields`` (Fq,
Fr, Montgomery conversions, canonical checks), ``curves`` (G1/G2 points,
checks, arithmetic, endomorphisms), ``msm`` (multi-scalar, batch and
fixed-base multiplication), ``ntt``, ``fr_vectors`` (element-wise Fr
arrays), ``pairing``, ``prover_kernels`` (Groth16 prover), ``setup_kernels``
(group FFT, sparse point combinations), ``encodings`` (snarkjs point bytes),
``blake`` (BLAKE2b compression), ``babyjub``, ``poseidon``, ``wsolve`` (the
native witness solver; imported by ``zkats.circuit`` when a circuit is solved).
"""

from .babyjub import (
    BJJ_L,
    bjj_add,
    bjj_check_subgroup,
    bjj_in_subgroup,
    bjj_mul,
    bjj_on_curve,
)
from .blake import blake2b_compress
from .buffers import (
    aligned_buffer,
    aligned_view,
    default_threads,
)
from .curves import (
    G1_GEN,
    G2_GEN,
    GLV_LAMBDA,
    PSI_LAMBDA,
    g1_add,
    g1_array_to_points,
    g1_check_array,
    g1_check_bytes,
    g1_double,
    g1_mul,
    g1_neg,
    g1_points_to_array,
    g2_add,
    g2_array_to_points,
    g2_check_array,
    g2_check_bytes,
    g2_double,
    g2_mul,
    g2_neg,
    g2_points_to_array,
    glv_decompose,
    is_in_subgroup_g2,
    is_on_curve_g1,
    is_on_curve_g2,
)
from .encodings import (
    g1_compressed_to_lem,
    g1_lem_to_compressed,
    g1_lem_to_uncompressed,
    g1_uncompressed_to_lem,
    g2_compressed_to_lem,
    g2_lem_to_compressed,
    g2_lem_to_uncompressed,
    g2_uncompressed_to_lem,
)
from .fields import (
    fq_first_noncanonical_array,
    fq_from_mont_array,
    fq_inv,
    fq_mul,
    fq_sqrt,
    fq_to_mont_array,
    fr_batch_inv,
    fr_first_noncanonical,
    fr_from_mont_array,
    fr_ints_to_mont_array,
    fr_inv,
    fr_mont_array_to_ints,
    fr_mul,
    fr_to_mont_array,
    fr_to_mont_limbs,
    has_adx,
    set_portable,
)
from .fr_vectors import (
    fr_add_array,
    fr_mul_array,
    fr_mul_powers_array,
    fr_scale_array,
    fr_sub_array,
)
from .msm import (
    g1_fixed_base_array,
    g1_mul_each_array,
    g2_fixed_base_array,
    g2_mul_each_array,
    msm_g1,
    msm_g1_array,
    msm_g2,
    msm_g2_array,
    msm_plan,
)
from .ntt import (
    NTT_MAX_LOG,
    ROOT_OF_UNITY_28,
    coset_intt,
    coset_ntt,
    coset_ntt_array,
    intt,
    ntt,
    ntt_array,
    root_of_unity,
    set_ntt_table_max_log,
)
from .pairing import (
    PreparedG2,
    fq12_to_py_ecc,
    pairing,
    pairing_check,
    pairing_check_array,
    pairing_check_prepared,
    pairs_to_arrays,
)
from .poseidon import poseidon_permute_array
from .prover_kernels import (
    COEF_ENTRY_BYTES,
    coeffs_first_bad,
    fr_join_abc_array,
    fr_mul_pointwise_array,
    fr_scale_powers_array,
    groth16_prove_core,
    qap_ab_array,
)
from .setup_kernels import (
    g1_ifft_array,
    g1_mul_one_array,
    g1_sparse_combine_array,
    g1_sub_array,
    g2_ifft_array,
    g2_mul_one_array,
    g2_sparse_combine_array,
)

__all__ = [
    "default_threads",
    "aligned_buffer",
    "aligned_view",
    "set_portable",
    "has_adx",
    "fq_mul",
    "fr_mul",
    "fq_inv",
    "fr_inv",
    "fq_sqrt",
    "fr_batch_inv",
    "fq_to_mont_array",
    "fq_from_mont_array",
    "fr_ints_to_mont_array",
    "fr_mont_array_to_ints",
    "fr_first_noncanonical",
    "fq_first_noncanonical_array",
    "fr_from_mont_array",
    "fr_to_mont_array",
    "fr_to_mont_limbs",
    "G1_GEN",
    "G2_GEN",
    "g1_points_to_array",
    "g2_points_to_array",
    "g1_array_to_points",
    "g2_array_to_points",
    "g1_check_array",
    "g2_check_array",
    "g1_check_bytes",
    "g2_check_bytes",
    "is_on_curve_g1",
    "g1_neg",
    "g1_add",
    "g1_double",
    "g1_mul",
    "is_on_curve_g2",
    "is_in_subgroup_g2",
    "g2_neg",
    "g2_add",
    "g2_double",
    "g2_mul",
    "GLV_LAMBDA",
    "PSI_LAMBDA",
    "glv_decompose",
    "msm_g1_array",
    "msm_g2_array",
    "msm_plan",
    "msm_g1",
    "msm_g2",
    "g1_mul_each_array",
    "g2_mul_each_array",
    "g1_fixed_base_array",
    "g2_fixed_base_array",
    "NTT_MAX_LOG",
    "ROOT_OF_UNITY_28",
    "root_of_unity",
    "ntt_array",
    "coset_ntt_array",
    "set_ntt_table_max_log",
    "ntt",
    "intt",
    "coset_ntt",
    "coset_intt",
    "fr_mul_array",
    "fr_add_array",
    "fr_sub_array",
    "fr_scale_array",
    "fr_mul_powers_array",
    "fq12_to_py_ecc",
    "pairs_to_arrays",
    "pairing",
    "pairing_check",
    "pairing_check_array",
    "PreparedG2",
    "pairing_check_prepared",
    "COEF_ENTRY_BYTES",
    "qap_ab_array",
    "fr_mul_pointwise_array",
    "fr_scale_powers_array",
    "fr_join_abc_array",
    "coeffs_first_bad",
    "groth16_prove_core",
    "g1_ifft_array",
    "g2_ifft_array",
    "g1_sparse_combine_array",
    "g2_sparse_combine_array",
    "g1_mul_one_array",
    "g2_mul_one_array",
    "g1_sub_array",
    "g1_lem_to_uncompressed",
    "g2_lem_to_uncompressed",
    "g1_lem_to_compressed",
    "g2_lem_to_compressed",
    "g1_uncompressed_to_lem",
    "g2_uncompressed_to_lem",
    "g1_compressed_to_lem",
    "g2_compressed_to_lem",
    "blake2b_compress",
    "BJJ_L",
    "bjj_on_curve",
    "bjj_in_subgroup",
    "bjj_check_subgroup",
    "bjj_add",
    "bjj_mul",
    "poseidon_permute_array",
]
