"""The schools service's transactional outbox (``kit.outbox``) and its relay actor.

Every event the service emits is written through :data:`outbox` in the transaction of the change it
announces. The relay actor ``schools.outbox.relay`` publishes pending events. It runs after commits that
added events, and every minute from the scheduler.
"""

from kit.broker import configure_broker
from kit.outbox import Outbox
from schools import SERVICE

configure_broker()  # the relay below is an actor
outbox = Outbox(SERVICE)
relay = outbox.declare_relay()
