"""The Merkle tree's hashing and proofs (RFC 9162 §2.1), with no store: the tree the recorder
grows (`store/merkle.py`) and the offline checker (`audit/proof_check.py`) are held against the
published RFC 6962 test vectors of the Certificate Transparency project (transparency-dev/merkle,
testonly/constants.go and proof/verify_test.go) and against an independent implementation,
pymerkle (its own tree, its own proofs and its own verification)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pytest
from enrollment_ledger.adapters.audit import proof_check
from enrollment_ledger.adapters.store.merkle import (
    EMPTY_ROOT,
    Node,
    TreeBuilder,
    consistency_ranges,
    inclusion_ranges,
    leaf_hash,
    range_hash,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from pymerkle import InmemoryTree, verify_consistency, verify_inclusion

# The RFC 6962 test data: eight leaves, the root of each prefix, and published proofs.
VECTOR_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
VECTOR_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
VECTOR_INCLUSION = [  # (leaf index, tree size, path)
    (0, 1, []),
    (0, 2, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"]),
    (1, 2, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
VECTOR_CONSISTENCY = [  # (old size, new size, path)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]


def grown(leaves: Sequence[bytes]) -> dict[Node, bytes]:
    """Every subtree the recorder would store for these leaves, grown one leaf at a time."""
    tree = TreeBuilder()
    stored: dict[Node, bytes] = {}
    for index, data in enumerate(leaves):
        stored[(0, index)] = leaf_hash(data)
        tree.push(stored[(0, index)])
    stored.update({(level, index): h for level, index, h in tree.completed})
    return stored


def inclusion_path(index: int, size: int, stored: dict[Node, bytes]) -> list[bytes]:
    return [range_hash(a, b, stored) for a, b in inclusion_ranges(index, size)]


def consistency_path(old: int, new: int, stored: dict[Node, bytes]) -> list[bytes]:
    return [range_hash(a, b, stored) for a, b in consistency_ranges(old, new)]


def pymerkle_tree(leaves: Sequence[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for data in leaves:
        tree.append_entry(data)
    return tree


def test_the_empty_tree_has_the_hash_of_nothing_as_its_root() -> None:
    assert EMPTY_ROOT.hex() == VECTOR_ROOTS[0]
    assert TreeBuilder().root() == EMPTY_ROOT


@pytest.mark.parametrize("size", range(1, 9))
def test_the_grown_tree_has_the_published_root_of_every_prefix(size: int) -> None:
    stored = grown(VECTOR_LEAVES)
    assert range_hash(0, size, stored).hex() == VECTOR_ROOTS[size]
    prefix = TreeBuilder()
    for data in VECTOR_LEAVES[:size]:
        prefix.push(leaf_hash(data))
    assert prefix.root().hex() == VECTOR_ROOTS[size]


@pytest.mark.parametrize(("index", "size", "path"), VECTOR_INCLUSION)
def test_inclusion_paths_are_the_published_ones_and_the_checker_accepts_them(
    index: int, size: int, path: list[str]
) -> None:
    stored = grown(VECTOR_LEAVES)
    assert [h.hex() for h in inclusion_path(index, size, stored)] == path
    root = bytes.fromhex(VECTOR_ROOTS[size])
    leaf = leaf_hash(VECTOR_LEAVES[index])
    assert proof_check.verify_inclusion(index, size, leaf, [bytes.fromhex(h) for h in path], root)


@pytest.mark.parametrize(("old", "new", "path"), VECTOR_CONSISTENCY)
def test_consistency_paths_are_the_published_ones_and_the_checker_accepts_them(
    old: int, new: int, path: list[str]
) -> None:
    stored = grown(VECTOR_LEAVES)
    assert [h.hex() for h in consistency_path(old, new, stored)] == path
    roots = bytes.fromhex(VECTOR_ROOTS[old]), bytes.fromhex(VECTOR_ROOTS[new])
    assert proof_check.verify_consistency(old, new, [bytes.fromhex(h) for h in path], *roots)


def test_the_hashes_are_rfc_6962_with_their_domain_prefixes() -> None:
    assert leaf_hash(b"L123456").hex() == (
        "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert proof_check.node_hash(b"N123", b"N456").hex() == (
        "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )
    assert proof_check.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()


LEAVES = st.lists(st.binary(max_size=12), min_size=1, max_size=70)


@settings(max_examples=60, deadline=None)
@given(leaves=LEAVES, data=st.data())
def test_every_root_and_inclusion_path_is_the_one_pymerkle_computes(
    leaves: list[bytes], data: st.DataObject
) -> None:
    stored = grown(leaves)
    reference = pymerkle_tree(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root = range_hash(0, size, stored)
    assert root == reference.get_root(size)
    proof = reference.prove_inclusion(index + 1, size)
    ours = inclusion_path(index, size, stored)
    assert ours == proof.path[1:]  # pymerkle's path opens with the leaf itself
    verify_inclusion(leaf_hash(leaves[index]), root, proof)
    assert proof_check.verify_inclusion(index, size, leaf_hash(leaves[index]), ours, root)


@settings(max_examples=60, deadline=None)
@given(leaves=LEAVES, data=st.data())
def test_every_consistency_proof_checks_between_the_roots_pymerkle_proves_consistent(
    leaves: list[bytes], data: st.DataObject
) -> None:
    stored = grown(leaves)
    reference = pymerkle_tree(leaves)
    new = data.draw(st.integers(1, len(leaves)), label="new")
    old = data.draw(st.integers(1, new), label="old")
    old_root, new_root = reference.get_root(old), reference.get_root(new)
    verify_consistency(old_root, new_root, reference.prove_consistency(old, new))
    ours = consistency_path(old, new, stored)
    assert proof_check.verify_consistency(old, new, ours, old_root, new_root)


@settings(max_examples=60, deadline=None)
@given(leaves=LEAVES, data=st.data())
def test_any_changed_hash_size_or_index_makes_an_inclusion_proof_fail(
    leaves: list[bytes], data: st.DataObject
) -> None:
    stored = grown(leaves)
    size = data.draw(st.integers(1, len(leaves)), label="size")
    index = data.draw(st.integers(0, size - 1), label="index")
    root, leaf = range_hash(0, size, stored), leaf_hash(leaves[index])
    path = inclusion_path(index, size, stored)
    check = proof_check.verify_inclusion
    assert not check(index, size, leaf_hash(leaves[index] + b"!"), path, root)
    assert not check(index, size, leaf, path, leaf_hash(b"forged root"))
    assert not check(index, size, leaf, [*path, root], root)
    if path:
        position = data.draw(st.integers(0, len(path) - 1), label="element")
        flipped = [*path]
        flipped[position] = bytes([flipped[position][0] ^ 1]) + flipped[position][1:]
        assert not check(index, size, leaf, flipped, root)
        assert not check(index, size, leaf, path[:-1], root)
        others = [i for i in range(size) if leaves[i] != leaves[index]]
        if others:  # the same path does not prove another leaf at this place
            other = data.draw(st.sampled_from(others), label="other")
            assert not check(index, size, leaf_hash(leaves[other]), path, root)


@settings(max_examples=60, deadline=None)
@given(leaves=st.lists(st.binary(max_size=8), min_size=2, max_size=70), data=st.data())
def test_any_changed_hash_or_size_makes_a_consistency_proof_fail(
    leaves: list[bytes], data: st.DataObject
) -> None:
    stored = grown(leaves)
    new = data.draw(st.integers(2, len(leaves)), label="new")
    old = data.draw(st.integers(1, new - 1), label="old")
    old_root, new_root = range_hash(0, old, stored), range_hash(0, new, stored)
    path = consistency_path(old, new, stored)
    check = proof_check.verify_consistency
    assert check(old, new, path, old_root, new_root)
    assert not check(old, new, path, leaf_hash(b"rewritten"), new_root)
    assert not check(old, new, path, old_root, leaf_hash(b"forged"))
    assert not check(old, new, path[:-1], old_root, new_root)
    assert not check(new, old, path, new_root, old_root)
    position = data.draw(st.integers(0, len(path) - 1), label="element")
    flipped = [*path]
    flipped[position] = bytes([flipped[position][0] ^ 1]) + flipped[position][1:]
    assert not check(old, new, flipped, old_root, new_root)


def test_equal_trees_and_the_empty_tree_need_no_path() -> None:
    root = bytes.fromhex(VECTOR_ROOTS[5])
    assert proof_check.verify_consistency(5, 5, [], root, root)
    assert not proof_check.verify_consistency(5, 5, [], root, EMPTY_ROOT)
    assert proof_check.verify_consistency(0, 5, [], EMPTY_ROOT, root)
    assert not proof_check.verify_consistency(0, 5, [], root, root)
    assert not proof_check.verify_inclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)
