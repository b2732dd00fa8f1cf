"""Read the ledger's events as CloudEvents: python consume_ledger.py HOST:PORT [TOPIC]"""

import json
import sys

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from kafka import KafkaConsumer

topic = sys.argv[2] if len(sys.argv) > 2 else "enrollment-ledger.events"
group = dict(bootstrap_servers=sys.argv[1], group_id="my-team", auto_offset_reset="earliest")
seen = set()  # the relay delivers at least once: a redelivery has the same id
for message in KafkaConsumer(topic, **group):  # in store order per household (the key)
    event = from_binary_event(KafkaMessage(dict(message.headers), message.key, message.value))
    if event.get_id() not in seen:
        seen.add(event.get_id())
        print(event.get_extension("partitionkey"), event.get_type(), json.dumps(event.get_data()))
        sys.stdout.flush()
