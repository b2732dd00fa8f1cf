"""Proof of one event without the whole store (issue 20): the Merkle tree the recorder keeps over
the events, the signed tree head, inclusion and consistency proofs, and the offline checker
(`proof_check.check_proof`, given only the proof and the auditor's pinned key or kept digest).

Every proof is checked by the standard-library checker and cross-checked against pymerkle built
independently from the store's rows; every tampering is plain SQL on the store's file."""

from __future__ import annotations

import base64
import json
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from enrollment_ledger.adapters.audit import digest, verify
from enrollment_ledger.adapters.audit.proof_check import ProofError, check_proof
from enrollment_ledger.adapters.audit.proofs import (
    NotExtended,
    UnknownEvent,
    consistency_between,
    consistency_proof,
    inclusion_proof,
    tree_head,
)
from enrollment_ledger.adapters.audit.signing import new_signing_key, parse_signing_key
from enrollment_ledger.adapters.audit.verify import InvalidDigest
from enrollment_ledger.adapters.bootstrap import build_ledger, new_cipher_key
from enrollment_ledger.adapters.cli.apply import answer_line
from enrollment_ledger.adapters.store.recorder import leaf_bytes
from enrollment_ledger.domain.ledger import Ledger
from eventsourcing.persistence import StoredEvent
from pymerkle import InmemoryTree

from ..conftest import Apply, application, count_events
from ..tamper import connect, flip_bit, rechain, swap_states, truncate_tail

KEY = parse_signing_key(new_signing_key())
PINNED = [KEY.public_key]
OTHER_KEY = parse_signing_key(new_signing_key())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


def recorded(answer: dict[str, Any]) -> list[str]:
    assert answer["ok"], answer
    return [event["id"] for event in answer["events"]]


@pytest.fixture
def event_ids(apply: Apply) -> list[str]:
    """Five households applied and determined: their event ids in store order."""
    ids: list[str] = []
    for household_id in ("H1", "H2", "H3", "H4", "H5"):
        ids += recorded(apply(application(household_id)))
        ids += recorded(
            apply(command="determine_eligibility", on="2026-01-10", household_id=household_id)
        )
    return ids


def stored_leaves(db: Path) -> list[bytes]:
    """Each event's leaf data, read from the file with sqlite3 in position order."""
    with closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT id, originator_id, originator_version, topic, state "
            "FROM ledger_events ORDER BY id"
        ).fetchall()
    return [
        leaf_bytes(
            position,
            StoredEvent(
                originator_id=uuid.UUID(bytes=aggregate_id),
                originator_version=version,
                topic=topic,
                state=state,
            ),
        )
        for position, aggregate_id, version, topic, state in rows
    ]


def pymerkle_tree(leaves: list[bytes]) -> InmemoryTree:
    tree = InmemoryTree(algorithm="sha256")
    for data in leaves:
        tree.append_entry(data)
    return tree


def holds(proof: dict[str, Any], **trust: Any) -> bool:
    try:
        return bool(check_proof(proof, trust.get("pinned", PINNED), trust.get("kept", ()))["ok"])
    except ProofError:
        return False


def test_every_event_proves_against_the_signed_head_and_the_proof_checks_offline(
    ledger: Ledger, event_ids: list[str]
) -> None:
    head = tree_head(ledger, KEY)
    assert head["tree_size"] == len(event_ids) == count_events(ledger)
    for index, event_id in enumerate(event_ids):
        proof = json.loads(json.dumps(inclusion_proof(ledger, event_id, KEY)))  # as a file
        assert proof["leaf_index"] == index
        assert proof["event"]["id"] == event_id
        assert proof["head"] == head
        result = check_proof(proof, PINNED)
        assert result["event"]["id"] == event_id
        assert result["trust"] == [
            f"the head of {len(event_ids)} events is signed by key {KEY.key_id}"
        ]


def test_the_tree_and_every_proof_are_what_pymerkle_computes_from_the_stored_rows(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    leaves = stored_leaves(db)
    reference = pymerkle_tree(leaves)
    size = len(leaves)
    assert tree_head(ledger, None)["root"] == reference.get_root(size).hex()
    for index, event_id in enumerate(event_ids):
        proof = inclusion_proof(ledger, event_id, None)
        assert base64.b64decode(proof["leaf"]) == leaves[index]
        expected = reference.prove_inclusion(index + 1, size).path[1:]
        assert proof["path"] == [h.hex() for h in expected]
    for old in range(1, size + 1):
        proof = consistency_between(ledger, KEY, old)
        assert proof["old"]["root"] == reference.get_root(old).hex()
        assert holds(proof)


def test_the_event_in_the_proof_is_the_events_answer_with_its_position(
    ledger: Ledger, apply: Apply
) -> None:
    answer = apply(application("H1"))
    proof = inclusion_proof(ledger, answer["events"][0]["id"], KEY)
    assert proof["event"]["position"] == 1
    assert {k: v for k, v in proof["event"].items() if k not in ("position", "topic")} == (
        answer["events"][0]
    )


def test_a_changed_byte_in_an_event_fails_its_proof(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    honest = inclusion_proof(ledger, event_ids[4], KEY)
    flip_bit(db, 5, "state", bit=2)
    assert not holds(inclusion_proof(ledger, event_ids[4], KEY))
    assert holds(inclusion_proof(ledger, event_ids[5], KEY))  # the others still prove

    leaf = bytearray(base64.b64decode(honest["leaf"]))
    leaf[-3] ^= 1
    assert not holds({**honest, "leaf": base64.b64encode(bytes(leaf)).decode()})


def test_a_swapped_event_fails_both_proofs(ledger: Ledger, event_ids: list[str], db: Path) -> None:
    swap_states(db, 3, 8)
    assert not holds(inclusion_proof(ledger, event_ids[2], KEY))
    assert not holds(inclusion_proof(ledger, event_ids[7], KEY))


def test_another_events_leaf_at_this_index_fails(ledger: Ledger, event_ids: list[str]) -> None:
    first = inclusion_proof(ledger, event_ids[2], KEY)
    second = inclusion_proof(ledger, event_ids[7], KEY)
    assert not holds({**first, "leaf": second["leaf"]})
    assert not holds({**first, "leaf": second["leaf"], "event": second["event"]})
    assert not holds({**second, "leaf_index": first["leaf_index"]})


@pytest.mark.parametrize(
    "forge",
    [
        lambda head: {**head, "root": "00" * 32},
        lambda head: {**head, "tree_size": head["tree_size"] + 1},
        lambda head: {**head, "position": head["position"] - 1},
        lambda head: {**head, "signature": OTHER_KEY.sign_head(head)["signature"]},
        lambda head: OTHER_KEY.sign_head({**head, "root": "00" * 32}),
        lambda head: {**head, "signature": None},
    ],
    ids=["root", "tree size", "position", "signature", "signed by another key", "unsigned"],
)
def test_a_forged_head_fails(ledger: Ledger, event_ids: list[str], forge: Any) -> None:
    proof = inclusion_proof(ledger, event_ids[3], KEY)
    assert holds(proof)
    assert not holds({**proof, "head": forge(proof["head"])})


def test_a_proof_checked_with_a_wrong_public_key_fails_whatever_key_it_names(
    ledger: Ledger, event_ids: list[str]
) -> None:
    proof = inclusion_proof(ledger, event_ids[0], KEY)
    assert not holds(proof, pinned=[OTHER_KEY.public_key])
    by_other = inclusion_proof(ledger, event_ids[0], OTHER_KEY)
    assert by_other["head"]["public_key"] == base64.b64encode(OTHER_KEY.public_key).decode()
    assert not holds(by_other)  # the key named inside the proof is never trusted
    with pytest.raises(ProofError, match="pinned"):
        check_proof(proof, [], [])


def test_the_newer_tree_proves_it_extends_a_kept_digest(
    ledger: Ledger, apply: Apply, event_ids: list[str]
) -> None:
    kept = digest(ledger, KEY)
    recorded(apply(application("H6")))
    proof = consistency_proof(ledger, kept, KEY)
    assert (proof["old"], proof["new"]["tree_size"]) == (kept, len(event_ids) + 2)
    assert holds(proof)
    assert holds(proof, pinned=[], kept=[kept, proof["new"]])
    old_event = inclusion_proof(ledger, event_ids[1], KEY, kept)
    assert old_event["head"] == kept and holds(old_event, pinned=[], kept=[kept])
    assert not holds({**proof, "path": proof["path"][:-1]})
    assert not holds({**proof, "old": proof["new"], "new": proof["old"]})


def test_a_truncated_log_cannot_prove_it_extends_the_kept_digest(
    ledger: Ledger, apply: Apply, event_ids: list[str], db: Path
) -> None:
    kept = digest(ledger, KEY)
    truncate_tail(db, 3)
    assert verify(ledger).ok  # a shorter chain and tree are still whole
    with pytest.raises(NotExtended, match="truncated"):
        consistency_proof(ledger, kept, KEY)
    for household_id in ("H9", "H10"):  # grown back past the kept size, with other events
        recorded(apply(application(household_id)))
    with pytest.raises(NotExtended, match="rewritten"):
        consistency_proof(ledger, kept, KEY)
    with pytest.raises(NotExtended):
        inclusion_proof(ledger, event_ids[0], KEY, kept)

    honest_new = tree_head(ledger, KEY)
    cut = {**honest_new, "tree_size": kept["tree_size"] - 1}
    forged = {"proof": "consistency", "old": kept, "new": cut, "path": []}
    assert not holds(forged)


def test_a_tail_truncated_without_its_leaves_is_caught_by_plain_verify(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    truncate_tail(db, 2, with_tree=False)
    result = verify(ledger)
    assert (result.ok, result.events_checked) == (False, len(event_ids) - 2)
    assert "leaf with no event" in (result.reason or "")


def test_a_history_rewritten_with_its_chain_and_tree_proves_nothing_against_a_kept_digest(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    kept = digest(ledger, KEY)
    flip_bit(db, 4)
    rechain(db)  # the events, the chain and the whole tree recomputed
    assert verify(ledger).ok
    assert not verify(ledger, kept).ok
    with pytest.raises(NotExtended, match="rewritten"):
        consistency_proof(ledger, kept, KEY)
    proof = inclusion_proof(ledger, event_ids[3], KEY)  # against the head signed now
    assert holds(proof)  # the ledger's key vouches for today's head...
    assert not holds(proof, pinned=[], kept=[kept])  # ...but not that it extends the kept one


def test_an_unknown_event_or_a_head_before_the_event_is_refused(
    ledger: Ledger, apply: Apply, event_ids: list[str]
) -> None:
    kept = digest(ledger, KEY)
    later = recorded(apply(application("H7")))
    with pytest.raises(UnknownEvent):
        inclusion_proof(ledger, str(uuid.uuid4()), KEY)
    with pytest.raises(Exception, match="after the head") as refused:
        inclusion_proof(ledger, later[0], KEY, kept)
    assert getattr(refused.value, "code", None) == "event_after_head"


def test_a_digest_taken_before_the_tree_still_verifies_but_anchors_no_proof(
    ledger: Ledger, event_ids: list[str]
) -> None:
    head = digest(ledger, KEY)
    old_style = {"position": head["position"], "hash": head["hash"], "events": head["events"]}
    assert verify(ledger, old_style).ok
    with pytest.raises(InvalidDigest, match="no tree head"):
        consistency_proof(ledger, old_style, KEY)


def test_verify_checks_the_digests_signature(ledger: Ledger, event_ids: list[str]) -> None:
    head = digest(ledger, KEY)
    assert verify(ledger, head, public_keys=PINNED).ok
    assert verify(ledger, head).ok  # checked with the key it names
    forged = {**head, "root": "11" * 32}
    refused = verify(ledger, forged)
    assert (refused.ok, refused.first_bad_position) == (False, None)
    assert "signature" in (refused.reason or "")
    assert not verify(ledger, head, public_keys=[OTHER_KEY.public_key]).ok
    assert not verify(ledger, digest(ledger, None), public_keys=PINNED).ok  # not signed


def test_verify_with_a_digest_checks_the_tree_root_at_its_size(
    ledger: Ledger, event_ids: list[str]
) -> None:
    head = digest(ledger, None)
    result = verify(ledger, {**head, "root": "22" * 32})
    assert (result.ok, result.first_bad_position) == (False, head["position"])
    assert "tree root" in (result.reason or "")


def test_verify_names_the_event_whose_stored_leaf_was_changed(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    with connect(db) as conn:
        conn.execute("UPDATE ledger_tree_leaves SET hash = zeroblob(32) WHERE leaf_index = 6")
    result = verify(ledger)
    assert (result.ok, result.first_bad_position, result.events_checked) == (False, 7, 6)
    assert "leaf" in (result.reason or "")
    assert not holds(inclusion_proof(ledger, event_ids[7], KEY))  # its sibling's path broke


@pytest.mark.parametrize(
    ("level", "index", "completed_at", "leaf_on_its_path"),
    [(1, 2, 6, 6), (3, 0, 8, 8), (4, 0, 16, 0)],
)
def test_verify_names_the_event_that_completes_a_changed_subtree(
    ledger: Ledger,
    event_ids: list[str],
    db: Path,
    level: int,
    index: int,
    completed_at: int,
    leaf_on_its_path: int,
) -> None:
    with connect(db) as conn:
        conn.execute(
            "UPDATE ledger_tree_nodes SET hash = zeroblob(32) WHERE level = ? AND node_index = ?",
            (level, index),
        )
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, completed_at)
    assert "subtree" in (result.reason or "")
    assert not holds(inclusion_proof(ledger, event_ids[leaf_on_its_path], KEY))


def test_verify_catches_a_stored_subtree_the_events_do_not_make(
    ledger: Ledger, event_ids: list[str], db: Path
) -> None:
    with connect(db) as conn:
        conn.execute("DELETE FROM ledger_tree_nodes WHERE level = 2 AND node_index = 4")
    result = verify(ledger)
    assert (result.ok, result.first_bad_position) == (False, 20)


def test_the_tree_grows_in_the_events_transaction_and_not_for_a_rejected_command(
    ledger: Ledger, apply: Apply, db: Path
) -> None:
    def leaves() -> int:
        with connect(db) as conn:
            return int(conn.execute("SELECT count(*) FROM ledger_tree_leaves").fetchone()[0])

    recorded(apply(application("H1")))
    assert leaves() == count_events(ledger) == 2
    refused = apply(command="determine_eligibility", on="2026-01-10", household_id="nobody")
    assert refused["ok"] is False
    assert leaves() == count_events(ledger) == 2


def forget_the_tree(db: Path) -> None:
    with connect(db) as conn:
        conn.execute("DELETE FROM ledger_tree_leaves")
        conn.execute("DELETE FROM ledger_tree_nodes")


def test_a_store_written_without_the_tree_gets_it_on_first_use(
    ledger: Ledger, event_ids: list[str], db: Path, store_url: str
) -> None:
    before = tree_head(ledger, KEY)
    forget_the_tree(db)
    reopened = build_ledger(store_url)  # another process: nothing known of the tree
    try:
        assert tree_head(reopened, KEY) == before
        assert holds(inclusion_proof(reopened, event_ids[-1], KEY))
    finally:
        reopened.close()


def test_a_write_into_a_store_without_the_tree_first_gives_the_old_events_their_leaves(
    ledger: Ledger, event_ids: list[str], db: Path, store_url: str
) -> None:
    before = tree_head(ledger, None)
    forget_the_tree(db)
    writer = build_ledger(store_url)
    try:
        added = recorded(answer(writer, application("H8")))
        proof = inclusion_proof(writer, added[-1], KEY)
        assert proof["leaf_index"] == len(event_ids) + 1
        assert consistency_proof(writer, before, KEY)["old"]["root"] == before["root"]
        assert verify(writer).ok
    finally:
        writer.close()


def answer(ledger: Ledger, command: dict[str, Any]) -> dict[str, Any]:
    result = answer_line(ledger, json.dumps(command).encode())
    assert result is not None
    return result


@pytest.fixture
def statements(ledger: Ledger) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = ledger.recorder.datastore.engine  # type: ignore[attr-defined]

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", count)


def test_a_proof_reads_as_many_statements_on_a_large_store_as_on_a_small_one(
    ledger: Ledger, apply: Apply, event_ids: list[str], statements: list[str]
) -> None:
    def cost(event_id: str) -> tuple[int, int]:
        statements.clear()
        proof = inclusion_proof(ledger, event_id, KEY)
        return len(statements), len(proof["path"])

    small, small_path = cost(event_ids[3])
    for household_id in range(30):
        recorded(apply(application(f"G{household_id}")))
    large, large_path = cost(event_ids[3])
    assert count_events(ledger) == 4 * len(event_ids)
    assert large == small <= 12
    assert small_path < large_path <= count_events(ledger).bit_length()


def test_proofs_work_the_same_on_postgresql(pg_store_url: str) -> None:
    pg = build_ledger(pg_store_url)
    try:
        ids: list[str] = []
        for household_id in ("H1", "H2", "H3"):
            ids += recorded(answer(pg, application(household_id)))
        kept = digest(pg, KEY)
        ids += recorded(answer(pg, application("H4")))
        for event_id in ids:
            assert holds(inclusion_proof(pg, event_id, KEY))
        assert holds(consistency_proof(pg, kept, KEY))
        assert verify(pg, kept, public_keys=PINNED).ok
    finally:
        pg.close()


def test_an_encrypted_store_proves_its_ciphertext_with_or_without_the_key(
    tmp_path: Path,
) -> None:
    url, key = f"sqlite:///{tmp_path / 'encrypted.db'}", new_cipher_key()
    writer = build_ledger(url, key=key)
    try:
        ids = recorded(answer(writer, application("H1")))
        with_key = inclusion_proof(writer, ids[1], KEY)  # the application, with a birth date
    finally:
        writer.close()
    auditor = build_ledger(url, audit_only=True)  # no cipher key
    try:
        without_key = inclusion_proof(auditor, ids[1], KEY)
    finally:
        auditor.close()
    assert with_key["leaf"] == without_key["leaf"]
    assert b"1980-01-01" not in base64.b64decode(with_key["leaf"])  # ciphertext at rest
    assert "1980-01-01" in json.dumps(with_key["event"]["data"])
    assert with_key["event"]["data"] is not None and without_key["event"]["data"] is None
    assert holds(with_key) and holds(without_key)
