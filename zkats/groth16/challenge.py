"""Phase-1 contributions made outside a .ptau file, in the file layouts of
the original Zcash/bellman ceremony tools as snarkjs reads and writes them:
``powersoftau export challenge``, ``challenge contribute`` and ``import
response``.

``export challenge``: the accumulator in the phase-1
"challenge" layout of the original Zcash/bellman ceremony tools, as
snarkjs writes it (``powersoftau_export_challenge.js``): the last response
hash (64 bytes; BLAKE2b-512 of nothing before any contribution), then
tauG1 (2^power*2-1 points), tauG2, alphaTauG1, betaTauG1 (2^power each)
and betaG2 (1), uncompressed big-endian.  The BLAKE2b-512 of the whole
file is the ptau's current challenge hash; a mismatch means the ptau is
corrupted (checked, as snarkjs does).

A response (``powersoftau_challenge_contribute.js``): the BLAKE2b-512 of
the challenge it answers (64 bytes), the same five sections with every
point multiplied by the contributor's powers and compressed, then the
contributor's public key (6 G1 + 3 G2 uncompressed, ``KEY_G1``/``KEY_G2``
order).  The response hash is the BLAKE2b-512 of the whole file; the .ptau
contribution record stores its state before the key (the partial hash).
"""

import hashlib

from ..errors import InputError, VerificationError
from ..formats import ptau as ptf
from . import ceremony, transcript as tr


def last_response_hash(pt):
    """The response hash of the last contribution (BLAKE2b-512 of nothing
    when there is none)."""
    if not pt.contributions:
        return hashlib.blake2b(digest_size=64).digest()
    c = pt.contributions[-1]
    h = tr.Blake2b.from_partial(bytes(c.partial_hash))
    h.update(
        b"".join(
            [tr.g1_to_u(c.key[k]) for k in ptf.KEY_G1] + [tr.g2_to_u(c.key[k]) for k in ptf.KEY_G2]
        )
    )
    return h.digest()


def export_challenge(pt, path):
    """Write the challenge file of ``pt``; returns (last response hash,
    current challenge hash)."""
    from .. import bn254

    last = last_response_hash(pt)
    cur = ceremony.last_challenge(pt)
    h = hashlib.blake2b(digest_size=64)
    with open(path, "wb") as f:
        f.write(last)
        h.update(last)
        for arr, enc in (
            (pt.tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.tau_g2, bn254.g2_lem_to_uncompressed),
            (pt.alpha_tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.beta_tau_g1, bn254.g1_lem_to_uncompressed),
            (pt.beta_g2, bn254.g2_lem_to_uncompressed),
        ):
            for i in range(0, len(arr), 1 << 14):
                b = bytes(enc(arr[i : i + (1 << 14)]))
                f.write(b)
                h.update(b)
    if h.digest() != cur:
        raise VerificationError(
            "the ptau is corrupted: its points do not hash to its declared challenge hash"
        )
    return last, cur


# ---------------------------------------------------------------------------
# the response file (``powersoftau challenge contribute`` writes it,
# ``powersoftau import response`` reads it)
# ---------------------------------------------------------------------------

#: the accumulator's sections in file order: (name, group, point count for 2^power)
_SECTIONS = tuple((name, group, cnt) for _, name, _, group, cnt in ptf.POINTS)
#: the contributor's public key after the points: 6 G1 and 3 G2, uncompressed
_KEY_BYTES = 6 * 64 + 3 * 128


def challenge_size(power):
    """Bytes of a challenge file of 2^power (uncompressed points)."""
    n = 1 << power
    return 64 + sum(cnt(n) * (64 if g == 1 else 128) for _, g, cnt in _SECTIONS)


def response_size(power):
    """Bytes of a response file of 2^power (compressed points, then the key)."""
    n = 1 << power
    return 64 + sum(cnt(n) * (32 if g == 1 else 64) for _, g, cnt in _SECTIONS) + _KEY_BYTES


def _power_of(size, size_of):
    return next((p for p in range(1, ptf.MAX_POWER + 1) if size_of(p) == size), None)


def _check_subgroup(path, name, arr):
    """G2 points decoded from outside: the twist's subgroup (batched check)."""
    from ..errors import FormatError

    try:
        ptf.check_g2_array(path, None, arr, f"{name} point")
    except FormatError as err:
        raise InputError(str(err)) from None


def _read_key(path, raw):
    """The 6 G1 + 3 G2 uncompressed public-key points, validated."""
    from .. import bn254
    from ..errors import FormatError

    g1, bad1 = bn254.g1_uncompressed_to_lem(raw[: 6 * 64])
    g2, bad2 = bn254.g2_uncompressed_to_lem(raw[6 * 64 :])
    try:
        if bad1 >= 0 or bad2 >= 0:
            raise FormatError(path, "the contribution's public key has a coordinate >= q")
        ptf.check_g1_array(path, None, g1, "public-key G1 point")
        ptf.check_g2_array(path, None, g2, "public-key G2 point")
    except FormatError as err:
        raise InputError(str(err)) from None
    key = {k: tr.g1_from_lem(g1[i].astype("<u8").tobytes()) for i, k in enumerate(ptf.KEY_G1)}
    key.update({k: tr.g2_from_lem(g2[i].astype("<u8").tobytes()) for i, k in enumerate(ptf.KEY_G2)})
    if any(v is None for v in key.values()):
        raise InputError(f"{path}: the contribution's public key has a point at infinity")
    return key


def import_response(pt, path, name=None, check=True, threads=None, progress=None):
    """``snarkjs powersoftau import response``: the contribution a response
    file (from ``powersoftau challenge contribute`` or the original
    Zcash/bellman tools) made to the challenge exported from ``pt``.

    Refused with a one-line :class:`InputError` when the response does not
    answer ``pt``'s current challenge (its first 64 bytes are the hash of
    the challenge it answers), has the size of another power or is cut
    short, or holds bytes that are not points (every point is decoded and
    checked on the curve, G2 points in the subgroup).  With ``check`` the
    new file is then verified as ``powersoftau verify`` does (the
    contribution's proofs of knowledge, its link to the previous one and
    the powers in every section): :class:`VerificationError` otherwise.

    Returns (new PTau without phase-2 sections, response hash)."""
    import os

    from .. import bn254

    if pt.power != pt.ceremony_power:
        raise InputError(
            f"the ptau has been reduced to 2^{pt.power} (ceremony 2^{pt.ceremony_power}): "
            "a response is imported into the full accumulator"
        )
    try:
        size, want = os.path.getsize(path), response_size(pt.power)
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    if size != want:
        other = _power_of(size, response_size)
        why = (
            f"it answers a 2^{other} challenge, the ptau is 2^{pt.power}"
            if other
            else f"{want} bytes expected for 2^{pt.power} (cut short or not a response?)"
        )
        raise InputError(f"{path}: {size} bytes: {why}")
    cur = ceremony.last_challenge(pt)
    n = 1 << pt.power
    with open(path, "rb") as f:
        answered = f.read(64)
        if answered != cur:
            raise InputError(
                f"{path}: answers the challenge {answered.hex()[:16]}..., not this ptau's "
                f"current challenge {cur.hex()[:16]}... (exported from another file or state?)"
            )
        resp = tr.Blake2b()
        resp.update(answered)
        arrays = {}
        for sname, group, cnt in _SECTIONS:
            _log(progress, f"importing {sname}")
            raw = f.read(cnt(n) * (32 if group == 1 else 64))
            resp.update(raw)
            dec = bn254.g1_compressed_to_lem if group == 1 else bn254.g2_compressed_to_lem
            arr, bad = dec(raw, threads)
            if bad >= 0:
                raise InputError(f"{path}: {sname} point {bad} is not a compressed curve point")
            if group == 2:
                _check_subgroup(path, sname, arr)
            arrays[sname] = arr
        partial = resp.to_partial()
        raw_key = f.read(_KEY_BYTES)
    key = _read_key(path, raw_key)
    resp.update(raw_key)
    response_hash = resp.digest()
    new = ptf.PTau.of_points(
        pt.power, [arrays[s] for s, _, _ in _SECTIONS], pt.contributions, pt.ceremony_power
    )
    _log(progress, "hashing the next challenge")
    nxt = hashlib.blake2b(digest_size=64)
    nxt.update(response_hash)
    ceremony._hash_sections(nxt, new, compressed=False)
    g1 = lambda a, i: tr.g1_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    g2 = lambda a, i: tr.g2_from_lem(a[i].astype("<u8").tobytes())  # noqa: E731
    new.contributions.append(
        ptf.Contribution(
            tau_g1=g1(new.tau_g1, 1),
            tau_g2=g2(new.tau_g2, 1),
            alpha_g1=g1(new.alpha_tau_g1, 0),
            beta_g1=g1(new.beta_tau_g1, 0),
            beta_g2=g2(new.beta_g2, 0),
            key=key,
            partial_hash=partial,
            next_challenge=nxt.digest(),
            type=0,
            name=ptf.encode_name(name) if name else None,
        )
    )
    if check:
        _log(progress, "verifying the imported contribution")
        try:
            ceremony.verify(new, progress=progress, threads=threads)
        except VerificationError as err:
            raise VerificationError(f"{path}: the contribution does not verify: {err}") from None
    return new, response_hash


def contribute_challenge(challenge_path, response_path, entropy=None, threads=None, progress=None):
    """``snarkjs powersoftau challenge contribute``: read a challenge file,
    draw a secret contribution (from :mod:`secrets` plus ``entropy``, as
    :func:`zkats.groth16.ceremony.contribute` does) and write the response
    file.  The challenge's points are checked (on the curve, G2 in the
    subgroup) before anything is multiplied.  Returns (challenge hash,
    response hash)."""
    import os

    from .. import bn254
    from ..errors import FormatError

    try:
        size = os.path.getsize(challenge_path)
    except OSError as err:
        raise InputError(f"{challenge_path}: cannot read: {err.strerror}") from None
    power = _power_of(size, challenge_size)
    if power is None:
        raise InputError(f"{challenge_path}: {size} bytes is not the size of a challenge file")
    n = 1 << power
    h = hashlib.blake2b(digest_size=64)
    arrays = {}
    with open(challenge_path, "rb") as f:
        h.update(f.read(64))
        for sname, group, cnt in _SECTIONS:
            raw = f.read(cnt(n) * (64 if group == 1 else 128))
            h.update(raw)
            dec = bn254.g1_uncompressed_to_lem if group == 1 else bn254.g2_uncompressed_to_lem
            arr, bad = dec(raw)
            try:
                if bad >= 0:
                    raise FormatError(challenge_path, f"{sname} point {bad}: coordinate >= q")
                check = ptf.check_g1_array if group == 1 else ptf.check_g2_array
                check(challenge_path, None, arr, f"{sname} point")
            except FormatError as err:
                raise InputError(str(err)) from None
            arrays[sname] = arr
    challenge_hash = h.digest()
    acc = ptf.PTau.of_points(power, [arrays[s] for s, _, _ in _SECTIONS])
    prv, pub = ceremony._create_key(challenge_hash, ceremony._random_rng(entropy))
    new = ceremony._apply_key(acc, prv, threads, progress)
    del prv
    resp = hashlib.blake2b(digest_size=64)
    tmp = f"{response_path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as out:

            def put(b):
                out.write(b)
                resp.update(b)

            put(challenge_hash)
            for arr, enc in (
                (new.tau_g1, bn254.g1_lem_to_compressed),
                (new.tau_g2, bn254.g2_lem_to_compressed),
                (new.alpha_tau_g1, bn254.g1_lem_to_compressed),
                (new.beta_tau_g1, bn254.g1_lem_to_compressed),
                (new.beta_g2, bn254.g2_lem_to_compressed),
            ):
                for i in range(0, len(arr), 1 << 14):
                    put(enc(arr[i : i + (1 << 14)]))
            put(ceremony._pubkey_u(pub))
        os.replace(tmp, response_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return challenge_hash, resp.digest()


def _log(progress, msg):
    if progress:
        progress(msg)
