"""The Merkle tree over the event log (RFC 9162 §2.1), as the recorder keeps it and the prover
reads it: standard library only, no store access here.

The tree's leaves are the events in store order: leaf i is the i-th stored event (counting from
0), whatever its position (positions may skip a number on PostgreSQL); its data is the bytes the
hash chain hashes for that event (`recorder.leaf_bytes`). Hashes are RFC 9162's with SHA-256:

- a leaf: `SHA-256(0x00 || data)`; an interior node: `SHA-256(0x01 || left || right)`;
- the tree of n > 1 leaves splits at k, the largest power of two below n: its root is the node of
  the roots of the first k leaves and of the other n - k; the empty tree's root is `SHA-256()`.

The recorder stores every complete subtree once it is complete, by (level, index): the subtree of
level L and index i covers leaves [i * 2^L, (i + 1) * 2^L). Such a subtree never changes once
complete, and every hash a proof needs, for any tree size up to the stored one, is a complete
subtree or the fold of a few of them (`range_nodes`): a proof reads O(log n) stored hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Node = tuple[int, int]
"""(level, index): the complete subtree over leaves [index * 2^level, (index + 1) * 2^level)."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the tree of no leaves (RFC 9162 §2.1.1: MTH({}) = HASH())."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def split_point(width: int) -> int:
    """The largest power of two smaller than `width` (> 1): where RFC 9162 splits a tree."""
    return 1 << ((width - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The complete subtrees that make up leaves [start, end), left to right, largest first. For
    every range a tree or a proof hashes (`start` a multiple of a power of two at least
    `end - start`), the fold of their hashes is the range's Merkle tree hash."""
    nodes: list[Node] = []
    while start < end:
        level = (end - start).bit_length() - 1
        if start:
            level = min(level, (start & -start).bit_length() - 1)
        nodes.append((level, start >> level))
        start += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of consecutive complete subtrees, largest first: right to left, as a tree of
    them splits (each one is larger than all those after it together)."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up the inclusion path of leaf `index` in the tree of
    `size` leaves (RFC 9162 §2.1.3.1, PATH(m, D[n])), from the leaf's sibling up to the root's
    child."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    return ranges[::-1]


def consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make up the consistency proof from the tree of `old_size`
    leaves to the tree of `new_size` leaves (RFC 9162 §2.1.4.1, PROOF(m, D[n]) =
    SUBPROOF(m, D[n], true)); none when the sizes are equal or the old tree is empty."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"a tree of {old_size} leaves is not older than one of {new_size}")
    if old_size in (0, new_size):
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, new_size, old_size, True
    while True:
        width = end - start
        if m == width:  # SUBPROOF(m, D[m], b): {} when b, else MTH(D[m])
            if not whole:
                ranges.append((start, end))
            break
        k = split_point(width)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            ranges.append((start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    return ranges[::-1]


def nodes_of(ranges: Iterable[tuple[int, int]]) -> set[Node]:
    """Every stored subtree needed to hash the given ranges."""
    return {node for start, end in ranges for node in range_nodes(start, end)}


def range_hash(start: int, end: int, stored: Mapping[Node, bytes]) -> bytes:
    """The Merkle tree hash of leaves [start, end) from the stored complete subtrees."""
    return fold([stored[node] for node in range_nodes(start, end)])


@dataclass(frozen=True)
class Frontier:
    """The tree of `size` leaves as its complete subtrees of `range_nodes(0, size)` (at most one
    per level; a "compact range"): enough to append leaves and to hash the root."""

    size: int
    hashes: tuple[bytes, ...]

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, ())

    def root(self) -> bytes:
        return fold(self.hashes)

    def extend(self, leaves: Iterable[bytes]) -> tuple[Frontier, list[tuple[int, int, bytes]]]:
        """Append leaf hashes: the larger tree's frontier, and the subtrees of level 1 and up
        that the new leaves complete, as (level, index, hash), to be stored."""
        builder = TreeBuilder(self)
        for leaf in leaves:
            builder.push(leaf)
        return builder.frontier(), builder.completed


class TreeBuilder:
    """A tree grown one leaf hash at a time from a frontier (a stack of (level, hash))."""

    def __init__(self, start: Frontier | None = None, *, keep_completed: bool = True) -> None:
        start = start or Frontier.empty()
        self.keep_completed = keep_completed
        levels = [level for level, _ in range_nodes(0, start.size)]
        self.size = start.size
        self.stack = list(zip(levels, start.hashes, strict=True))
        self.completed: list[tuple[int, int, bytes]] = []

    def push(self, leaf: bytes) -> None:
        self.size += 1
        level, current = 0, leaf
        stack = self.stack
        while stack and stack[-1][0] == level:
            current = node_hash(stack.pop()[1], current)
            level += 1
            if self.keep_completed:
                self.completed.append((level, (self.size >> level) - 1, current))
        stack.append((level, current))

    def frontier(self) -> Frontier:
        return Frontier(self.size, tuple(h for _, h in self.stack))

    def root(self) -> bytes:
        return fold([h for _, h in self.stack])
