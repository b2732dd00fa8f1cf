"""Check an enrollment-ledger proof offline: no store, no ledger code, only this file.

Merkle hashing and proof verification are RFC 9162 §2.1 with SHA-256, in the Python standard
library; the tree head's Ed25519 signature is checked with the `cryptography` package (imported
only for it). Run it as a script: `python proof_check.py PROOF.json --public-key KEY`.

A proof is trusted only through a head the auditor already trusts: a head signed by a public key
the auditor pinned (`--public-key`, never only the key written in the proof), or a head equal to
a digest the auditor kept (`--digest`). The README's "Checking a proof by hand" walks through
every step below.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import sys
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

HEAD_FORMAT = "enrollment-ledger signed tree head v1"
ATTRIBUTED_LEAF = b"recorded_by\n"


class ProofError(ValueError):
    """The proof does not hold (or is not a proof at all)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def head_message(head: Mapping[str, Any]) -> bytes:
    """The bytes a tree head's signature covers: five lines, each ended by a newline."""
    return (
        f"{HEAD_FORMAT}\ntree_size={head['tree_size']}\nroot={head['root']}\n"
        f"position={head['position']}\nchain_hash={head['hash']}\n"
    ).encode()


def key_id(public_key: bytes) -> str:
    """The first 16 hexadecimal digits of SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def verify_inclusion(
    index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2: is `leaf` (a leaf hash) leaf `index` of the tree of `size` leaves whose
    root is `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r, root)


def verify_consistency(
    first: int, second: int, path: Sequence[bytes], first_root: bytes, second_root: bytes
) -> bool:
    """RFC 9162 §2.1.4.2: is the tree of `second` leaves (root `second_root`) the tree of
    `first` leaves (root `first_root`) with leaves appended? Equal sizes need an empty path and
    equal roots; the empty tree (root SHA-256 of nothing) is extended by every tree."""
    if first == second:
        return not path and hmac.compare_digest(first_root, second_root)
    if first == 0:
        return not path and hmac.compare_digest(first_root, hashlib.sha256(b"").digest())
    if not 0 < first < second or not path:
        return False
    path = [first_root, *path] if first & (first - 1) == 0 else list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(fr, first_root) and hmac.compare_digest(sr, second_root)


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def parse_public_key(text: str) -> bytes:
    """A pinned Ed25519 public key: base64 of its 32 raw bytes."""
    raw = _base64(text.strip(), "the public key")
    if len(raw) != 32:
        raise ProofError("an Ed25519 public key is 32 bytes (base64-encoded)")
    return raw


def check_head(
    head: Mapping[str, Any], pinned: Sequence[bytes], kept: Sequence[Mapping[str, Any]]
) -> str:
    """Trust a tree head: equal to a kept digest, or signed by a pinned key. Says which."""
    size, root = _size(head, "tree_size"), _hex32(head, "root")
    for digest in kept:
        if _size(digest, "tree_size") == size and _hex32(digest, "root") == root:
            return f"the head of {size} events equals a digest you kept"
    if not pinned:
        raise ProofError(f"the head of {size} events matches no digest you kept")
    signature = head.get("signature")
    if not isinstance(signature, str):
        raise ProofError(f"the head of {size} events is not signed")
    raw_signature = _base64(signature, "the signature")
    _size(head, "position")
    _hex32(head, "hash")
    for key in pinned:
        if verify_signature(key, raw_signature, head_message(head)):
            return f"the head of {size} events is signed by key {key_id(key)}"
    raise ProofError(f"the head of {size} events is not signed by a key you pinned")


def leaf_fields(leaf: bytes) -> dict[str, Any]:
    """What a leaf says: its actor when recorded with one (`recorded_by\\n`, the actor's UTF-8
    length, a newline, the actor), then the event's position, aggregate id (32 hex digits),
    version and topic, each ended by a newline, then the event's stored bytes."""
    fields: dict[str, Any] = {"recorded_by": None}
    rest = leaf
    if rest.startswith(ATTRIBUTED_LEAF):
        length_text, _, rest = rest[len(ATTRIBUTED_LEAF) :].partition(b"\n")
        if not length_text.isdigit():
            raise ProofError("the leaf's actor has no length")
        length = int(length_text)
        fields["recorded_by"], rest = rest[:length].decode("utf-8", "replace"), rest[length:]
    parts = rest.split(b"\n", 4)
    if len(parts) != 5 or not parts[0].isdigit() or not parts[2].isdigit():
        raise ProofError("the leaf is not an event's bytes")
    try:
        aggregate_id = uuid.UUID(hex=parts[1].decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise ProofError("the leaf names no aggregate id") from None
    fields.update(
        position=int(parts[0]),
        aggregate_id=str(aggregate_id),
        version=int(parts[2]),
        topic=parts[3].decode("utf-8", "replace"),
        id=str(uuid.uuid5(aggregate_id, parts[2].decode("ascii"))),
    )
    return fields


def check_proof(
    proof: Mapping[str, Any],
    pinned: Sequence[bytes] = (),
    kept: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """Check an inclusion or consistency proof; raise ProofError naming the first failure."""
    if not pinned and not kept:
        raise ProofError("give a public key you pinned or a digest you kept")
    kind = proof.get("proof")
    if kind == "inclusion":
        head = _object(proof, "head")
        trusted = check_head(head, pinned, kept)
        leaf = _base64(proof.get("leaf"), "the leaf")
        fields = leaf_fields(leaf)
        event = _object(proof, "event")
        for name in ("id", "aggregate_id", "version", "position"):
            if event.get(name) != fields[name]:
                raise ProofError(f"the leaf is not the event the proof names ({name} differs)")
        index, size = _size(proof, "leaf_index"), _size(head, "tree_size")
        if not verify_inclusion(index, size, leaf_hash(leaf), _path(proof), _hex32(head, "root")):
            raise ProofError(f"event {fields['id']} is not leaf {index} of the signed tree")
        return {"ok": True, "proof": kind, "event": fields, "leaf_index": index, "trust": [trusted]}
    if kind == "consistency":
        old, new = _object(proof, "old"), _object(proof, "new")
        trust = [check_head(old, pinned, kept), check_head(new, pinned, kept)]
        first, second = _size(old, "tree_size"), _size(new, "tree_size")
        roots = _hex32(old, "root"), _hex32(new, "root")
        if not verify_consistency(first, second, _path(proof), *roots):
            raise ProofError(f"the tree of {second} events does not extend the one of {first}")
        return {"ok": True, "proof": kind, "old_size": first, "new_size": second, "trust": trust}
    raise ProofError(
        "not an enrollment-ledger proof (`proof` is neither inclusion nor consistency)"
    )


def _object(obj: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = obj.get(name)
    if not isinstance(value, Mapping):
        raise ProofError(f"the proof has no `{name}` object")
    return value


def _size(obj: Mapping[str, Any], name: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**63:
        raise ProofError(f"`{name}` is not a whole number")
    return value


def _hex32(obj: Mapping[str, Any], name: str) -> bytes:
    value = obj.get(name)
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ProofError(f"`{name}` is not 64 hexadecimal digits")
    return raw


def _path(proof: Mapping[str, Any]) -> list[bytes]:
    path = proof.get("path")
    if not isinstance(path, list) or len(path) > 128:
        raise ProofError("the proof has no `path` list")
    return [_hex32({"path": item}, "path") for item in path]


def _base64(value: Any, what: str) -> bytes:
    try:
        return base64.b64decode(value if isinstance(value, str) else "!", validate=True)
    except (binascii.Error, ValueError):
        raise ProofError(f"{what} is not base64") from None


def main(argv: Sequence[str]) -> int:
    """`proof_check.py PROOF.json [--public-key KEY]... [--digest KEPT.json]...`: exit 0 when the
    proof holds, 1 when it does not."""
    pinned: list[bytes] = []
    kept: list[Mapping[str, Any]] = []
    files: list[str] = []
    args = list(argv)
    try:
        while args:
            arg = args.pop(0)
            if arg in ("--public-key", "--digest") and args:
                value = args.pop(0)
                if arg == "--public-key":
                    pinned.append(parse_public_key(value))
                else:
                    with open(value, encoding="utf-8") as f:
                        kept.append(json.load(f))
            else:
                files.append(arg)
        if len(files) != 1:
            raise ProofError("usage: proof_check.py PROOF.json --public-key KEY [--digest FILE]")
        with open(files[0], encoding="utf-8") as f:
            result = check_proof(json.load(f), pinned, kept)
    except (ProofError, OSError, ValueError) as e:
        print(json.dumps({"ok": False, "reason": str(e)}))
        return 1
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
