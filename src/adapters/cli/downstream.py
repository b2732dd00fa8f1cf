"""The `relay` and `consume` subcommands (Kafka). Only argparse is imported here; the Kafka code
is imported when one of them runs."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .options import (
    MAX_COUNT,
    add_count_option,
    add_json_option,
    add_seconds_option,
    bootstrap_servers,
)

DEFAULT_TOPIC = "enrollment-ledger.events"  # = adapters.kafka.relay.DEFAULT_TOPIC
DEFAULT_COVERAGE_TOPIC = "enrollment-ledger.coverage"  # = kafka.current_state's
COVERAGE_TOPIC_ENV = "LEDGER_COVERAGE_TOPIC"  # = kafka.current_state's
DEFAULT_COVERAGE_EVERY = 1000  # = kafka.current_state.DEFAULT_EVERY


def coverage_topic_default() -> str:
    return os.environ.get(COVERAGE_TOPIC_ENV, "").strip() or DEFAULT_COVERAGE_TOPIC


def add_downstream_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    relay = sub.add_parser(
        "relay",
        parents=[common],
        help="publish recorded events to Kafka as CloudEvents",
        description="Publish every recorded event, in store order, to a Kafka topic "
        "(key = household id, or employer id for an employer's records; binary-mode "
        "CloudEvents). Follows the store until SIGTERM/SIGINT.",
    )
    _add_broker_options(relay)
    relay.add_argument(
        "--until-caught-up",
        action="store_true",
        help="stop once every recorded event is published, instead of following the store",
    )
    add_count_option(
        relay,
        "--batch-size",
        "events",
        MAX_COUNT,
        1000,
        "events read, sent and acknowledged per batch (default: 1000)",
    )
    relay.add_argument(
        "--member-data",
        choices=("omit", "include"),
        default="omit",
        help="omit (the default): member data (birth dates, income, household, grounds, names, "
        "...) left out of the messages, which say which fields were; include: published, "
        "encrypted with --topic-key-file (required from an encrypted store), else in clear",
    )
    relay.add_argument(
        "--topic-key-file",
        metavar="FILE",
        default=None,
        help="with --member-data include: the topic key (`keygen --topic`) that encrypts it",
    )
    add_seconds_option(
        relay,
        "--lease-seconds",
        10.0,
        "how long the relay's lease outlives a dead relay (default: 10)",
    )
    _add_coverage_topic_option(relay, "the compacted topic of each enrollment's current answer")
    relay.add_argument(
        "--no-coverage-topic",
        action="store_true",
        help="publish the events only, not the current-state topic",
    )
    add_count_option(
        relay,
        "--coverage-every",
        "events",
        MAX_COUNT,
        DEFAULT_COVERAGE_EVERY,
        "through a backlog, publish the current-state answers after the batch that brings "
        f"the events relayed since the last time to N (default: {DEFAULT_COVERAGE_EVERY}); "
        "always once caught up",
    )
    relay.add_argument(
        "--rendering",
        choices=("auto", "process", "here"),
        default="auto",
        help="where the events and the answers are rendered: in a second process beside the "
        "relay's sending ('process'), in the relay's own ('here'), or 'auto' (a process when "
        "the machine has more than one CPU and the store is not in memory; the default)",
    )

    consume = sub.add_parser(
        "consume",
        help="example consumer: print each event once, in a consumer group",
        description="Read the topic in a consumer group, drop duplicates by ce_id and print one "
        "JSON line per event.",
    )
    _add_broker_options(consume)
    consume.add_argument(
        "--group",
        default="enrollment-ledger-example",
        help="consumer group id: a new group starts at the beginning of the topic, a known one "
        "where it left off (default: enrollment-ledger-example)",
    )
    start = consume.add_mutually_exclusive_group()
    start.add_argument(
        "--from-beginning",
        action="store_true",
        help="start the group over from the beginning of the topic (a replay)",
    )
    start.add_argument(
        "--from-current-state",
        action="store_true",
        help="print each enrollment's current answer (the current-state topic read to its end), "
        "then follow the events from the position those answers name",
    )
    _add_coverage_topic_option(consume, "the current-state topic read by --from-current-state")
    add_json_option(
        consume, "print each message whole: topic, partition, offset, key, headers and the event"
    )
    add_count_option(consume, "--max-messages", "events", MAX_COUNT, None, "stop after N events")
    add_seconds_option(
        consume,
        "--timeout",
        None,
        "stop after S seconds without a new message (joining the group counts)",
    )
    consume.add_argument(
        "--topic-key-file",
        metavar="FILE",
        default=None,
        help="the topic key (`keygen --topic`): decrypt the member data of messages published "
        "with --member-data include",
    )
    consume.add_argument(
        "--seen",
        metavar="FILE",
        default=None,
        help="SQLite file of the ce_ids already handled (default: in memory)",
    )


def _add_broker_options(parser: argparse.ArgumentParser) -> None:
    """`--kafka HOST:PORT[,...]` (required) and `--topic`: where the events are published."""
    parser.add_argument(
        "--kafka",
        metavar="HOST:PORT",
        type=bootstrap_servers,
        required=True,
        help="bootstrap servers",
    )
    parser.add_argument("--topic", default=DEFAULT_TOPIC, help=f"(default: {DEFAULT_TOPIC})")


def _add_coverage_topic_option(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--coverage-topic",
        default=coverage_topic_default(),
        metavar="TOPIC",
        help=f"{what} (default: ${COVERAGE_TOPIC_ENV}, else {DEFAULT_COVERAGE_TOPIC})",
    )


def run_downstream(args: argparse.Namespace) -> int:
    from ..kafka.member_data import read_topic_key

    key = None if args.topic_key_file is None else read_topic_key(args.topic_key_file)
    if args.subcommand == "relay":
        from ..bootstrap import build_ledger
        from ..failures import InvalidOption
        from ..kafka.member_data import member_data_policy
        from ..kafka.relay import RelayOptions, run_relay

        if key is not None and args.member_data == "omit":
            raise InvalidOption("--topic-key-file is used only with --member-data include")
        ledger = build_ledger(args.store, create=False)  # the relay publishes an existing store
        try:
            encrypted = ledger.mapper.cipher is not None
            options = RelayOptions(
                member_data=member_data_policy(args.member_data, key, encrypted),
                kafka=args.kafka,
                topic=args.topic,
                until_caught_up=args.until_caught_up,
                batch_size=args.batch_size,
                lease_seconds=args.lease_seconds,
                coverage_topic=None if args.no_coverage_topic else args.coverage_topic,
                coverage_every=args.coverage_every,
                rendering=args.rendering,
            )
            return run_relay(ledger, options, sys.stdout)
        finally:
            ledger.close()
    from ..kafka.consumer import ConsumeOptions, run_consume

    return run_consume(
        ConsumeOptions(
            kafka=args.kafka,
            topic=args.topic,
            group=args.group,
            max_messages=args.max_messages,
            timeout_seconds=args.timeout,
            seen_path=args.seen,
            json=args.json,
            from_beginning=args.from_beginning,
            topic_key=key,
            from_current_state=args.from_current_state,
            coverage_topic=args.coverage_topic,
        ),
        sys.stdout,
    )
