"""The evaluation service's transactional outbox (``kit.outbox``) and its relay actor.

Every event the service emits is written through :data:`outbox` in the transaction of the change it
announces; the relay actor ``evaluation.outbox.relay`` publishes them after commit and every minute.
"""

from evaluation import SERVICE
from kit.broker import configure_broker
from kit.outbox import Outbox

configure_broker()  # the relay below is an actor
outbox = Outbox(SERVICE)
relay = outbox.declare_relay()
