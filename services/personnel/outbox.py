"""The personnel service's transactional outbox (``kit.outbox``) and its relay actor.

Every event the service emits is written through :data:`outbox` in the transaction of the change it
announces; ``personnel.outbox.relay`` publishes them after the commit and every minute from the scheduler.
"""

from kit.broker import configure_broker
from kit.outbox import Outbox
from personnel import SERVICE

configure_broker()  # the relay below is an actor
outbox = Outbox(SERVICE)
relay = outbox.declare_relay()
