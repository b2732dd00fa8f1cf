"""Read the ledger's events as CloudEvents: python consume_ledger.py HOST:PORT [TOPIC [KEY_FILE]]"""

import json
import sys
from base64 import b64decode
from pathlib import Path

from cloudevents.core.bindings.kafka import KafkaMessage, from_binary_event
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from kafka import KafkaConsumer

topic = sys.argv[2] if len(sys.argv) > 2 else "enrollment-ledger.events"
group = dict(bootstrap_servers=sys.argv[1], group_id="my-team", auto_offset_reset="earliest")
key = AESGCM(b64decode(Path(sys.argv[3]).read_text())) if len(sys.argv) > 3 else None  # topic key
seen = set()  # the relay delivers at least once: a redelivery has the same id
for message in KafkaConsumer(topic, session_timeout_ms=10000, **group):  # store order per key
    event = from_binary_event(KafkaMessage(dict(message.headers), message.key, message.value))
    if event.get_id() not in seen:
        seen.add(event.get_id())
        value, sealed = event.get_data(), event.get_data().get("member_data", {})
        if key and sealed.get("mode") == "encrypted":  # relay --member-data include: open it
            nonce, text = b64decode(sealed["nonce"]), b64decode(sealed["ciphertext"])
            opened = json.loads(key.decrypt(nonce, text, value["id"].encode()))  # what was left out
            value.update(opened, data={**value["data"], **opened["data"]})
        print(event.get_extension("partitionkey"), event.get_type(), json.dumps(value), flush=True)
