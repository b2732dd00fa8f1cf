"""The benchmark's proof phase (bench/proofs.py) builds what it says: a tree grown in bulk
through the recorder's own append path has the root the events and leaves give, and the
proofs it times hold against the signed head of that size (no timing asserted here: the
benchmark measures, tests do not)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from enrollment_ledger.adapters.audit.proofs import tree_head
from enrollment_ledger.adapters.bootstrap import build_ledger
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.store.merkle import TreeBuilder, leaf_hash

from bench.population import population
from bench.proofs import SYNTHETIC_TOPIC, grow_to, measure_proofs


def quiet(message: str) -> None:
    return None


def test_the_proof_phase_reports_both_figures_and_every_proof_holds(tmp_path: Path) -> None:
    figures, details = measure_proofs(population(2, seed=5), tmp_path, build_ledger, quiet, 3000)

    by_name: dict[str, Any] = {f["name"]: f for f in figures}
    assert set(by_name) == {"proofs.append_ratio", "proofs.p99_ms"}
    assert by_name["proofs.append_ratio"]["ratio"] > 0
    assert details["events_with_tree"] == details["events_without_tree"] > 0
    assert details["tree_size"] == 3000 and details["proofs"] > 0
    assert details["proofs_failing_the_offline_check"] == 0


def test_a_tree_grown_in_bulk_has_the_root_of_its_leaves_recomputed_from_scratch(
    tmp_path: Path,
) -> None:
    ledger = build_ledger(f"sqlite:///{tmp_path / 'grown.db'}")
    try:
        for command in population(1, seed=3)[:4]:
            answer_line(ledger, json.dumps(command).encode())
        real = ledger.recorder.max_notification_id()
        grow_to(ledger, 1500)
        head = tree_head(ledger, None)
        leaves = ledger.recorder.tree_leaves
        with ledger.recorder.transaction(commit=False) as session:
            hashes = [
                bytes(h)
                for (h,) in session.execute(
                    leaves.select().with_only_columns(leaves.c.hash).order_by(leaves.c.leaf_index)
                )
            ]
    finally:
        ledger.close()
    builder = TreeBuilder(keep_completed=False)
    for h in hashes:
        builder.push(h)
    assert real and head["tree_size"] == len(hashes) == 1500
    assert head["root"] == builder.root().hex()
    first_synthetic = f"{real}\n{real + 1:032x}\n1\n{SYNTHETIC_TOPIC}\n".encode()
    assert hashes[real] == leaf_hash(first_synthetic + b'{"leaf":%d}' % real)
