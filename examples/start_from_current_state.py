"""Join late: python start_from_current_state.py HOST:PORT [TOPIC [COVERAGE_TOPIC]]"""

import json
import sys

from kafka import KafkaConsumer, TopicPartition

topic = sys.argv[2] if len(sys.argv) > 2 else "enrollment-ledger.events"
state = sys.argv[3] if len(sys.argv) > 3 else "enrollment-ledger.coverage"
settings = dict(bootstrap_servers=sys.argv[1], auto_offset_reset="earliest")
# 1. The current state to its end: the last answer per enrollment wins.
reader = KafkaConsumer(state, consumer_timeout_ms=3000, **settings)
answers = {message.key: json.loads(message.value) for message in reader}
for answer in answers.values():
    print("answer", answer["enrollment_id"], answer["coverage"]["status"], json.dumps(answer))
# 2. The events from the position the answers name (a partition not named: from its beginning).
positions = [a["follow_from"] for a in answers.values()]
start = max(positions, key=lambda f: f["store_position"], default={"offsets": {}})
reflected = {a["aggregate_id"]: a["version"] for a in answers.values()}
events = KafkaConsumer(**settings)
partitions = [TopicPartition(topic, p) for p in events.partitions_for_topic(topic) or ()]
events.assign(partitions)
for partition in partitions:
    events.seek(partition, start["offsets"].get(str(partition.partition), 0))
for message in events:  # each household's events in store order; skip what the answers hold
    event = json.loads(message.value)
    if event["version"] > reflected.get(event["aggregate_id"], 0):
        reflected[event["aggregate_id"]] = event["version"]  # a redelivery is dropped too
        print("event", message.key.decode(), event["type"], json.dumps(event))
        sys.stdout.flush()
