"""The broker is chosen by URL: RabbitMQ, Redis or the Postgres-backed one all carry a message to an actor."""

from __future__ import annotations

import threading

import dramatiq
import pytest
from dramatiq import Worker

from kit.broker import broker_kind, create_broker
from kit.settings import Settings
from tenants.roles import BROKER_ROLE


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("amqp://guest:guest@127.0.0.1:5672/%2F", "rabbitmq"),
        ("redis://127.0.0.1:6379/15", "redis"),
        ("", "postgres"),
    ],
)
def test_the_url_picks_the_broker(url, kind):
    assert broker_kind(Settings(broker_url=url)) == kind


def _round_trip(broker: dramatiq.Broker, queue: str) -> list[str]:
    received: list[str] = []
    done = threading.Event()

    def echo(text: str) -> None:
        received.append(text)
        done.set()

    actor = dramatiq.actor(echo, broker=broker, actor_name=f"test.echo.{queue}", queue_name=queue)
    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    try:
        actor.send("你好 SafeCampus")
        assert done.wait(20), "the message never arrived"
    finally:
        worker.stop()
        broker.close()
    return received


def test_a_message_goes_through_redis():
    broker = create_broker(Settings(broker_url="redis://127.0.0.1:6379/15"))
    broker.flush_all()
    assert _round_trip(broker, "redis_echo") == ["你好 SafeCampus"]


def test_a_message_goes_through_the_postgres_broker(stack):
    from safecampus.migrate import init_postgres_broker

    settings = Settings(broker_url=stack.settings.database_dsn(BROKER_ROLE, "broker"))
    init_postgres_broker(settings)  # what `safecampus db migrate` does when no other broker is configured
    broker = create_broker(settings)
    assert _round_trip(broker, "pg_echo") == ["你好 SafeCampus"]


def test_a_message_goes_through_rabbitmq(stack):
    broker = create_broker(Settings(broker_url=stack.settings.broker_url))
    assert _round_trip(broker, "rabbit_echo") == ["你好 SafeCampus"]
