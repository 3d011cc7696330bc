#!/usr/bin/env python3
"""Independent verifier for the crypto tests: checks a COSE_Sign1 (ES384 / ES256 / EdDSA) with
Python's `cryptography`, using its own minimal CBOR reader (no code shared with the C++ side).

usage: cose_verify.py MESSAGE_FILE PUBLIC_KEY_PEM [EXTERNAL_AAD_HEX]
Prints "ok" and exits 0 when the signature verifies; exits 1 otherwise."""
import sys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def read(data, i):
    ib = data[i]; i += 1
    major, ai = ib >> 5, ib & 31
    if ai < 24:
        arg = ai
    elif ai <= 27:
        n = 1 << (ai - 24)
        arg = int.from_bytes(data[i:i + n], "big"); i += n
    else:
        raise ValueError("unsupported additional info")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        b = data[i:i + arg]; i += arg
        return (bytes(b) if major == 2 else b.decode()), i
    if major == 4:
        out = []
        for _ in range(arg):
            v, i = read(data, i); out.append(v)
        return out, i
    if major == 5:
        out = {}
        for _ in range(arg):
            k, i = read(data, i); v, i = read(data, i); out[k] = v
        return out, i
    if major == 6:
        v, i = read(data, i)
        return ("tag", arg, v), i
    if major == 7 and arg == 22:
        return None, i
    raise ValueError("unsupported item")


def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")


def bstr(b):
    return head(2, len(b)) + b


def main():
    msg = open(sys.argv[1], "rb").read()
    key = serialization.load_pem_public_key(open(sys.argv[2], "rb").read())
    external = bytes.fromhex(sys.argv[3]) if len(sys.argv) > 3 else b""
    top, end = read(msg, 0)
    assert end == len(msg), "trailing bytes"
    if isinstance(top, tuple):
        assert top[1] == 18, "not tag 18"
        top = top[2]
    protected, _unprotected, payload, signature = top
    alg = read(protected, 0)[0][1]
    tbs = b"\x84" + b"\x6aSignature1" + bstr(protected) + bstr(external) + bstr(payload)
    try:
        if alg == -8:
            assert isinstance(key, ed25519.Ed25519PublicKey)
            key.verify(signature, tbs)
        else:
            h = {-7: hashes.SHA256(), -35: hashes.SHA384(), -36: hashes.SHA512()}[alg]
            half = len(signature) // 2
            der = encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                       int.from_bytes(signature[half:], "big"))
            key.verify(der, tbs, ec.ECDSA(h))
    except InvalidSignature:
        print("bad signature")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
