"""Background work of federation: one delivery per task, and incoming activities.

Both are idempotent: a delivered ``Delivery`` is not sent again, a processed
``InboxActivity`` is not processed again, so the queue may run a task twice.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from babillard.core import http
from babillard.federation import conf
from babillard.federation.models import Delivery, DeliveryState, RemoteServer

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """60 s, 3 min, 9 min, 27 min, 81 min, 4 h, 12 h: about a day over eight attempts."""
    return timedelta(seconds=conf.retry_base_seconds() * 3 ** max(attempts - 1, 0))


def _record_success(domain: str) -> None:
    server, _created = RemoteServer.objects.get_or_create(domain=domain)
    was_unavailable = server.unavailable_until is not None
    RemoteServer.objects.filter(pk=server.pk).update(
        failures=0, unavailable_until=None, last_success_at=timezone.now()
    )
    if was_unavailable:
        resume_deliveries(domain)


def _record_failure(domain: str, gave_up: bool) -> None:
    server, _created = RemoteServer.objects.get_or_create(domain=domain)
    changes: dict[str, object] = {"failures": F("failures") + 1, "last_failure_at": timezone.now()}
    if gave_up:
        changes["unavailable_until"] = timezone.now() + timedelta(seconds=conf.UNAVAILABLE_SECONDS)
    RemoteServer.objects.filter(pk=server.pk).update(**changes)


def resume_deliveries(domain: str) -> int:
    """A server that was unavailable is back: send what waits for it now."""
    pending = Delivery.objects.filter(
        domain=domain, state__in=[DeliveryState.PENDING, DeliveryState.RETRYING]
    )
    waiting = list(pending.values_list("pk", flat=True))
    pending.update(next_attempt_at=timezone.now())
    for pk in waiting:
        deliver.enqueue(pk)
    return len(waiting)


def _from_instance_actor(delivery: Delivery) -> bool:
    """Activities of the instance actor (forwarded reports) have no sender row: it signs them."""
    from babillard.federation.client import instance_actor_uri

    return delivery.payload.get("actor") == instance_actor_uri()


def attempt(delivery: Delivery) -> bool:
    """Send one delivery now; on failure schedule the next attempt. Returns success."""
    from babillard.federation.client import post

    error, code = "", None
    try:
        key = (delivery.key_id, delivery.signing_key) if delivery.signing_key else None
        if delivery.sender is None and key is None and not _from_instance_actor(delivery):
            # The sender was deleted and nothing can sign for it: this will never go.
            Delivery.objects.filter(pk=delivery.pk).delete()
            return False
        answer = post(delivery.inbox_url, delivery.sender, delivery.payload, key=key)
        code = answer.status_code
        if answer.ok:
            Delivery.objects.filter(pk=delivery.pk).update(
                state=DeliveryState.DELIVERED,
                attempts=F("attempts") + 1,
                delivered_at=timezone.now(),
                last_status_code=code,
                last_error="",
                signing_key="",
            )
            _record_success(delivery.domain)
            return True
        error = f"HTTP {code}"
    except http.HttpError as failure:
        error = str(failure)
    except Exception as failure:
        # Never leave a row pending for ever: count it as a failed attempt, visibly.
        logger.exception("delivery %s failed unexpectedly", delivery.pk)
        error = f"{type(failure).__name__}: {failure}"
    attempts = delivery.attempts + 1
    # 4xx other than 408/429 will not get better by waiting: the server refused the activity.
    permanent = code is not None and 400 <= code < 500 and code not in (401, 408, 429)
    gave_up = permanent or attempts >= conf.max_attempts()
    when = timezone.now() + retry_delay(attempts)
    if gave_up:
        Delivery.objects.filter(pk=delivery.pk).update(signing_key="")
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.ABANDONED if gave_up else DeliveryState.RETRYING,
        attempts=attempts,
        last_status_code=code,
        last_error=error[:2000],
        next_attempt_at=None if gave_up else when,
    )
    if not permanent:
        _record_failure(delivery.domain, gave_up)
    if not gave_up:
        transaction.on_commit(lambda: deliver.using(run_after=when).enqueue(delivery.pk))
    logger.info("delivery %s to %s failed: %s", delivery.pk, delivery.inbox_url, error)
    return False


@task()
def deliver(delivery_id: int) -> None:
    delivery = (
        Delivery.objects.select_related("sender")
        .filter(pk=delivery_id, state__in=[DeliveryState.PENDING, DeliveryState.RETRYING])
        .first()
    )
    if delivery is None:
        return
    if delivery.next_attempt_at and delivery.next_attempt_at > timezone.now() + timedelta(
        seconds=1
    ):
        return  # an earlier, duplicate task: the scheduled one will send it
    attempt(delivery)


@task()
def process_inbox_activity(item_id: int) -> None:
    from babillard.federation.inbox import process

    process(item_id)


@task()
def retry_due_deliveries() -> int:
    """Enqueue deliveries whose time has come (after a restart, or a server coming back)."""
    due = Delivery.objects.filter(
        state__in=[DeliveryState.PENDING, DeliveryState.RETRYING],
        next_attempt_at__lte=timezone.now(),
    ).values_list("pk", flat=True)
    count = 0
    for pk in due:
        deliver.enqueue(pk)
        count += 1
    return count


@task()
def distribute_poll_update(poll_id: int) -> None:
    """Send a local poll's counts to the servers that got it (votes are gathered meanwhile)."""
    from django.core.cache import cache

    from babillard.federation.outbox import deliver_poll_update, poll_update_key
    from babillard.statuses.models import Poll

    cache.delete(poll_update_key(poll_id))
    poll = Poll.objects.filter(pk=poll_id).select_related("status__account").first()
    if poll is not None:
        with transaction.atomic():
            deliver_poll_update(poll)
