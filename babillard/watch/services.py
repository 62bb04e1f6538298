"""Every write of watch: antennas and their hits, outside feeds and their polling,
OPML import and export, the deck's columns.

API paths served: ``/api/babillard/v1/antennas`` (and ``/:id``, ``/:id/statuses``),
``/api/babillard/v1/sources`` (and ``/:id``, ``/:id/items``).

Posts reach the antennas through the ``statuses.services.arrived`` signal: each
post the instance stores, local or federated, is put in line (``PendingMatch``) in
the transaction that stores it, and ``watch.tasks.match_arrivals`` runs the posts in
line through the index of ``watch.matching``, a batch at a time.
"""

import logging
import secrets
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import regex
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from babillard.accounts.models import Account
from babillard.accounts.queries import hidden_account_ids
from babillard.core import http, links
from babillard.core.errors import NotFound
from babillard.core.ids import id_floor
from babillard.core.tasks import enqueue_on_commit
from babillard.notifications.models import NotificationType
from babillard.notifications.services import notify
from babillard.statuses.formatting import plain_text
from babillard.statuses.models import Status
from babillard.statuses.queries import visible_statuses
from babillard.timelines.models import List
from babillard.watch import matching, outside
from babillard.watch.columns import column_kind
from babillard.watch.models import (
    Antenna,
    AntennaHit,
    Column,
    EmailMode,
    IndexVersion,
    PendingMatch,
    Source,
    SourceItem,
    Subscription,
    Width,
)

logger = logging.getLogger(__name__)

# Sent once per new hit, after the hit is committed, with ``antenna`` (the Antenna),
# ``status`` (the Status caught, or None) and ``item`` (the SourceItem caught, or None).
# The boards app listens to feed a board's suggestion queue.
antenna_matched = Signal()

MAX_ANTENNAS = 100
MAX_TERMS = 50
MAX_TERM_LENGTH = 100
MAX_REGEX_LENGTH = 200
MAX_SOURCES = 500
MAX_COLUMNS = 20
BACKFILL_DAYS = 30
BACKFILL_SCAN = 5000
SEARCH_CANDIDATES = 1000

# Strings a catastrophic pattern takes exponential time on; a new antenna's regex
# must go through each of them within the time limit.
_PROBES = [
    "a" * 40 + "!",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" * 10 + "\n",
    "x" * 2000,
    "ab" * 500 + "c",
    "1" * 60 + "x",
    " " * 500 + "x",
]
# A group ending in a quantifier, itself quantified: (a+)+, (\w*)*, (x{2,})+ ...
_NESTED_QUANTIFIER = regex.compile(r"\((?:[^()\\]|\\.)*[+*}]\)[+*{]")


# --- antennas ---------------------------------------------------------------------------------


def check_regex(source: str) -> str:
    """A regular expression fit for an antenna, or ``ValidationError``: short, valid,
    without back-references or nested quantifiers, fast on known killer inputs."""
    source = source.strip()
    if not source:
        return ""
    if len(source) > MAX_REGEX_LENGTH:
        raise ValidationError(
            _("The regular expression is longer than %(max)d characters.")
            % {"max": MAX_REGEX_LENGTH},
            code="regex",
        )
    try:
        pattern = matching.compile_pattern(source)
    except regex.error as error:
        raise ValidationError(
            _("The regular expression is not valid: %(error)s.") % {"error": error}, code="regex"
        ) from None
    if regex.search(r"\\[1-9]|\\g<|\(\?P=|\(\?[<=!]*R|\(\?\d", source):
        raise ValidationError(
            _("Back-references and recursion are not allowed in the regular expression."),
            code="regex",
        )
    if _NESTED_QUANTIFIER.search(source):
        raise ValidationError(
            _("A repeated group that repeats inside can take forever: rewrite the expression."),
            code="regex",
        )
    for probe in _PROBES:
        try:
            pattern.search(probe, timeout=matching.REGEX_TIMEOUT)
        except TimeoutError:
            raise ValidationError(
                _("The regular expression takes too long on some texts: simplify it."),
                code="regex",
            ) from None
    return source


def _terms(value: Any, name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.replace(",", "\n").splitlines()
    if not isinstance(value, list | tuple):
        raise ValidationError(_("%(name)s must be a list of words.") % {"name": name}, code=name)
    terms = [str(v).strip() for v in value if str(v).strip()]
    if len(terms) > MAX_TERMS:
        raise ValidationError(
            _("At most %(max)d entries in %(name)s.") % {"max": MAX_TERMS, "name": name}, code=name
        )
    for term in terms:
        if len(term) > MAX_TERM_LENGTH or not matching.words(term):
            raise ValidationError(
                _("“%(term)s” is not a word or phrase of at most %(max)d characters.")
                % {"term": term[:40], "max": MAX_TERM_LENGTH},
                code=name,
            )
    return list(dict.fromkeys(terms))


def _ids(value: Any, name: str) -> list[int]:
    if value in (None, ""):
        return []
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ValidationError(_("%(name)s must be a list of ids.") % {"name": name}, code=name)
    try:
        ids = [int(v) for v in value]
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(name)s must be a list of ids.") % {"name": name}, code=name
        ) from None
    if len(ids) > MAX_TERMS:
        raise ValidationError(
            _("At most %(max)d entries in %(name)s.") % {"max": MAX_TERMS, "name": name}, code=name
        )
    return list(dict.fromkeys(ids))


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes", "t"}
    return bool(value)


ANTENNA_FIELDS = (
    "title",
    "keywords",
    "exclude_keywords",
    "regex",
    "account_ids",
    "exclude_account_ids",
    "list_ids",
    "exclude_list_ids",
    "languages",
    "with_media_only",
    "with_links_only",
    "exclude_replies",
    "notify",
    "email",
)


def _clean(owner: Account, data: dict[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(ANTENNA_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown field: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}, code="field"
        )
    clean: dict[str, Any] = {}
    if "title" in data:
        title = str(data["title"] or "").strip()
        if not title or len(title) > 100:
            raise ValidationError(
                _("Give the antenna a title of at most 100 characters."), code="title"
            )
        clean["title"] = title
    for name in ("keywords", "exclude_keywords"):
        if name in data:
            clean[name] = _terms(data[name], name)
    if "regex" in data:
        clean["regex"] = check_regex(str(data["regex"] or ""))
    for name in ("account_ids", "exclude_account_ids"):
        if name in data:
            ids = _ids(data[name], name)
            if Account.objects.filter(pk__in=ids).count() != len(ids):
                raise ValidationError(_("Some of these accounts do not exist."), code=name)
            clean[name] = ids
    for name in ("list_ids", "exclude_list_ids"):
        if name in data:
            ids = _ids(data[name], name)
            if List.objects.filter(owner=owner, pk__in=ids).count() != len(ids):
                raise ValidationError(_("Some of these lists are not yours."), code=name)
            clean[name] = ids
    if "languages" in data:
        languages = [t.casefold() for t in _terms(data["languages"], "languages")]
        if any(not (2 <= len(code) <= 3 and code.isalpha()) for code in languages):
            raise ValidationError(
                _("Languages are given by their ISO 639 code, such as fr or en."), code="languages"
            )
        clean["languages"] = languages
    for name in ("with_media_only", "with_links_only", "exclude_replies", "notify"):
        if name in data:
            clean[name] = _bool(data[name])
    if "email" in data:
        mode = str(data["email"] or EmailMode.NONE)
        if mode not in EmailMode.values:
            raise ValidationError(_("E-mail is one of: none, immediate, daily."), code="email")
        clean["email"] = mode
    return clean


def _check_listens(antenna: Antenna) -> None:
    if not (antenna.keywords or antenna.regex or antenna.account_ids or antenna.list_ids):
        raise ValidationError(
            _("An antenna needs keywords, a regular expression, authors or lists to listen to."),
            code="keywords",
        )


def create_antenna(owner: Account, **data: Any) -> Antenna:
    """A new antenna, filled back from the last 30 days by the worker."""
    if not owner.is_local:
        raise ValidationError(_("Only local accounts have antennas."), code="owner")
    data.setdefault("title", "")
    clean = _clean(owner, data)
    antenna = Antenna(owner=owner, **clean)
    _check_listens(antenna)
    with transaction.atomic():
        if Antenna.objects.filter(owner=owner).count() >= MAX_ANTENNAS:
            raise ValidationError(
                _("You have %(max)d antennas already.") % {"max": MAX_ANTENNAS}, code="limit"
            )
        antenna.save()
        antennas_changed()
        from babillard.watch.tasks import backfill_antenna

        enqueue_on_commit(backfill_antenna, antenna.pk)
    return antenna


def update_antenna(owner: Account, antenna: Antenna, **data: Any) -> Antenna:
    """Change an antenna's rules; the hits it already has stay."""
    if antenna.owner_id != owner.pk:
        raise NotFound(antenna.pk)
    clean = _clean(owner, data)
    for name, value in clean.items():
        setattr(antenna, name, value)
    _check_listens(antenna)
    with transaction.atomic():
        antenna.save(update_fields=[*clean, "updated_at"])
        antennas_changed()
    return antenna


def delete_antenna(owner: Account, antenna: Antenna) -> None:
    if antenna.owner_id != owner.pk:
        raise NotFound(antenna.pk)
    with transaction.atomic():
        Column.objects.filter(owner=owner, kind="antenna", params__antenna_id=antenna.pk).delete()
        antenna.delete()
        antennas_changed()


def regenerate_feed_token(owner: Account, antenna: Antenna) -> Antenna:
    """A new secret feed address; the old one stops working."""
    if antenna.owner_id != owner.pk:
        raise NotFound(antenna.pk)
    antenna.regenerate_feed_token()
    return antenna


def antennas_changed() -> None:
    """Every process rebuilds its index at its next post (call inside the write's
    transaction, so that the new version and the antenna commit together)."""
    version = secrets.randbits(62)
    if not IndexVersion.objects.filter(pk=1).update(version=version):
        IndexVersion.objects.update_or_create(pk=1, defaults={"version": version})


def current_index() -> matching.Index:
    """The matching index of this process, rebuilt if an antenna changed anywhere."""
    version = IndexVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    return matching.current_index(version, build_index)


def rule_of(antenna: Antenna) -> matching.Rule:
    return matching.Rule(
        antenna_id=antenna.pk,
        owner_id=antenna.owner_id,
        keywords=matching.phrases(antenna.keywords),
        exclude=matching.phrases(antenna.exclude_keywords),
        pattern=matching.compile_pattern(antenna.regex) if antenna.regex else None,
        account_ids=frozenset(antenna.account_ids),
        exclude_account_ids=frozenset(antenna.exclude_account_ids),
        list_ids=frozenset(antenna.list_ids),
        exclude_list_ids=frozenset(antenna.exclude_list_ids),
        languages=frozenset(antenna.languages),
        with_media_only=antenna.with_media_only,
        with_links_only=antenna.with_links_only,
        exclude_replies=antenna.exclude_replies,
    )


_compiled = matching.CompiledRules()
COMPILE_CHUNK = 900  # ids per query, under SQLite's limit of bound parameters


def _compile(antenna_ids: list[int]) -> Iterator[matching.Rule]:
    for start in range(0, len(antenna_ids), COMPILE_CHUNK):
        chunk = antenna_ids[start : start + COMPILE_CHUNK]
        for antenna in Antenna.objects.filter(pk__in=chunk):
            yield rule_of(antenna)


def build_index() -> matching.Index:
    """The index of every antenna; only those written since the last build are compiled."""
    stamps: dict[int, object] = dict(Antenna.objects.values_list("pk", "updated_at"))
    return matching.Index(_compiled.rules(stamps, _compile))


def _has_links(status: Status) -> bool:
    """A link other than a mention or a hashtag (both are rendered with class "mention")."""
    content = status.content
    return content.count("<a ") > content.count('class="mention') + content.count(
        'class="u-url mention'
    )


def arrival_of(status: Status) -> matching.Arrival:
    media = list(status.media.all())
    parts = [status.spoiler_text, plain_text(status.content), *(m.description for m in media)]
    return matching.Arrival(
        text="\n".join(p for p in parts if p),
        author_id=status.account_id,
        language=status.language,
        has_media=bool(media),
        has_links=_has_links(status),
        is_reply=status.is_reply,
    )


def arrival_of_item(item: SourceItem, language: str = "") -> matching.Arrival:
    return matching.Arrival(
        text=f"{item.title}\n{item.summary}", language=language, has_links=bool(item.url)
    )


def _lists_of(author_ids: set[int], index: matching.Index) -> dict[int, frozenset[int]]:
    """The lists each author belongs to (any owner's), in one query."""
    if not author_ids or not index.uses_lists:
        return {}
    found: dict[int, set[int]] = {}
    members = List.members.through.objects.filter(account_id__in=author_ids)
    for account_id, list_id in members.values_list("account_id", "list_id"):
        found.setdefault(account_id, set()).add(list_id)
    return {account_id: frozenset(ids) for account_id, ids in found.items()}


# --- matching posts on arrival ----------------------------------------------------------------

MATCH_BATCH = 200


def queue_for_matching(status: Status) -> None:
    """Put a stored post in line for the antennas (call inside the transaction that stores
    it). After commit a ``match_arrivals`` task is enqueued, unless one is already waiting
    in the queue: that one will take this post too, so a burst of posts costs a few tasks."""
    if status.is_reblog:
        return
    PendingMatch.objects.bulk_create([PendingMatch(status=status)], ignore_conflicts=True)
    transaction.on_commit(_enqueue_matching)


def _enqueue_matching() -> None:
    from babillard.watch.tasks import match_arrivals

    if not _waiting_in_queue(match_arrivals):
        match_arrivals.enqueue()


def _waiting_in_queue(task: Task[Any, Any]) -> bool:
    """Whether ``task`` waits, not yet started, in the database queue. It is asked after
    the post's commit, and a worker marks a task started before running it, so a task
    found waiting reads the post when it runs. Other backends are not asked."""
    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.ready().filter(task_path=task.module_path).exists()


def match_arrivals() -> int:
    """Match the posts waiting in line, ``MATCH_BATCH`` at a time, until none wait;
    returns how many were matched. Run again after a failure, it matches again the
    posts it had not crossed off, and their hits are not written twice."""
    done = 0
    while batch := list(
        PendingMatch.objects.order_by("status_id").values_list("status_id", flat=True)[:MATCH_BATCH]
    ):
        match_statuses(batch)
        PendingMatch.objects.filter(status_id__in=batch).delete()
        done += len(batch)
    return done


def match_statuses(status_ids: list[int]) -> dict[int, list[int]]:
    """Run stored posts through every antenna; returns, for each post caught, the ids of
    the antennas that caught it.

    Boosts are not matched (their original was, on arrival). An antenna only catches
    what its owner may see, and never an author its owner blocked or muted. The whole
    batch reads the index once, the authors' lists in one query, each owner's right to
    see in one query for all the posts that owner's antennas caught, and writes its hits
    in one insert.
    """
    statuses = list(
        Status.objects.filter(pk__in=status_ids, reblog__isnull=True)
        .select_related("account")
        .prefetch_related("media")
        .order_by("id")
    )
    if not statuses:
        return {}
    index = current_index()
    lists = _lists_of({s.account_id for s in statuses}, index)
    rules = {
        status.pk: index.match(arrival_of(status), lists.get(status.account_id, frozenset()))
        for status in statuses
    }
    antennas = Antenna.objects.select_related("owner").in_bulk(
        {rule.antenna_id for found in rules.values() for rule in found}
    )
    by_owner: dict[int, set[int]] = {}
    for status_id, found in rules.items():
        for rule in found:
            by_owner.setdefault(rule.owner_id, set()).add(status_id)
    owners = {antenna.owner_id: antenna.owner for antenna in antennas.values()}
    seen = {
        (owner_id, status_id)
        for owner_id, status_ids_caught in by_owner.items()
        if owner_id in owners
        for status_id in _seen_by(owners[owner_id], status_ids_caught)
    }
    by_id = {status.pk: status for status in statuses}
    catches = [
        Catch(antennas[rule.antenna_id], status=by_id[status_id])
        for status_id, found in rules.items()
        for rule in found
        if rule.antenna_id in antennas and (rule.owner_id, status_id) in seen
    ]
    caught: dict[int, list[int]] = {}
    for catch in catches:
        assert catch.status is not None
        caught.setdefault(catch.status.pk, []).append(catch.antenna.pk)
    record_hits(catches)
    return caught


def _seen_by(owner: Account, status_ids: set[int]) -> set[int]:
    """Those of these posts that ``owner`` may see, from authors it does not hide."""
    return set(
        visible_statuses(owner)
        .filter(pk__in=status_ids)
        .exclude(account_id__in=hidden_account_ids(owner))
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class Catch:
    """What an antenna caught: a post or an outside item."""

    antenna: Antenna
    status: Status | None = None
    item: SourceItem | None = None

    @property
    def key(self) -> int:
        target = self.status or self.item
        if target is None:
            raise ValueError("a hit is a status or an item")
        return int(target.pk)


def record_hits(catches: list[Catch]) -> list[AntennaHit]:
    """Keep each hit once and run its antenna's actions for it; returns the new hits.

    One insert for the whole batch; if a hit was written meanwhile (another worker,
    a backfill), the batch falls back to one insert each, and the known ones are skipped.
    """
    fresh = _unknown(catches)
    if not fresh:
        return []
    rows = [AntennaHit(antenna=c.antenna, status=c.status, item=c.item, key=c.key) for c in fresh]
    try:
        with transaction.atomic():
            AntennaHit.objects.bulk_create(rows)
            _after_hits(fresh, rows)
    except IntegrityError:
        return [hit for catch in fresh if (hit := _record_one(catch)) is not None]
    return rows


def _unknown(catches: list[Catch]) -> list[Catch]:
    """The catches without a hit yet, each once."""
    hits = AntennaHit.objects.filter(
        antenna_id__in={c.antenna.pk for c in catches}, key__in={c.key for c in catches}
    )
    known = {
        (antenna_id, status_id is not None, key)
        for antenna_id, status_id, key in hits.values_list("antenna_id", "status_id", "key")
    }
    fresh = []
    for catch in catches:
        found = (catch.antenna.pk, catch.status is not None, catch.key)
        if found not in known:
            known.add(found)
            fresh.append(catch)
    return fresh


def _record_one(catch: Catch) -> AntennaHit | None:
    hit = AntennaHit(antenna=catch.antenna, status=catch.status, item=catch.item, key=catch.key)
    try:
        with transaction.atomic():
            hit.save(force_insert=True)
            _after_hits([catch], [hit])
    except IntegrityError:
        return None
    return hit


def _after_hits(catches: list[Catch], hits: list[AntennaHit]) -> None:
    """The antennas' actions for new hits: a notification, an e-mail, the signal."""
    from babillard.watch.tasks import send_hit_email

    for catch, hit in zip(catches, hits, strict=True):
        antenna = catch.antenna
        if catch.status is not None and antenna.notify:
            notify(antenna.owner, catch.status.account, NotificationType.STATUS, catch.status)
        if antenna.email == EmailMode.IMMEDIATE:
            enqueue_on_commit(send_hit_email, hit.pk)
        transaction.on_commit(
            partial(
                antenna_matched.send,
                Antenna,
                antenna=antenna,
                status=catch.status,
                item=catch.item,
            )
        )


def backfill_antenna(antenna_id: int) -> int:
    """Fill a new antenna with what it would have caught over the last 30 days: posts
    found by search (keywords), by author or list, or scanned (regex only), and the
    items of the outside feeds its owner follows. Returns the number of hits."""
    antenna = Antenna.objects.select_related("owner").filter(pk=antenna_id).first()
    if antenna is None:
        return 0
    from babillard.search.queries import search_statuses

    owner = antenna.owner
    since = timezone.now() - timedelta(days=BACKFILL_DAYS)
    index = matching.Index([rule_of(antenna)])
    candidates: dict[int, Status] = {}
    if antenna.keywords:
        for phrase in antenna.keywords:
            for status in search_statuses(owner, phrase, limit=SEARCH_CANDIDATES):
                if status.created_at >= since:
                    candidates[status.pk] = status
    else:
        recent = visible_statuses(owner).filter(id__gte=id_floor(since), reblog__isnull=True)
        if antenna.account_ids:
            recent = recent.filter(account_id__in=antenna.account_ids)
        elif antenna.list_ids:
            members = List.members.through.objects.filter(list_id__in=antenna.list_ids)
            recent = recent.filter(account_id__in=members.values("account_id"))
        for status in recent.select_related("account").order_by("-id")[:BACKFILL_SCAN]:
            candidates[status.pk] = status
    hidden = hidden_account_ids(owner)
    shown = [s for s in candidates.values() if not s.is_reblog and s.account_id not in hidden]
    lists = _lists_of({s.account_id for s in shown}, index)
    catches = [
        Catch(antenna, status=status)
        for status in shown
        if index.match(arrival_of(status), lists.get(status.account_id, frozenset()))
    ]
    items = SourceItem.objects.filter(
        source__subscriptions__account=owner, published_at__gte=since
    ).order_by("-id")[:BACKFILL_SCAN]
    catches += [Catch(antenna, item=item) for item in items if index.match(arrival_of_item(item))]
    return len(record_hits(catches))


def send_hit_email(hit_id: int) -> None:
    hit = (
        AntennaHit.objects.select_related("antenna__owner__user", "status__account", "item")
        .filter(pk=hit_id)
        .first()
    )
    if hit is None:
        return
    user = hit.antenna.owner.user
    if user is None or not user.email:
        return
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        send_mail(
            _("Antenna “%(title)s”: %(what)s") % {"title": hit.antenna.title, "what": _title(hit)},
            _("Your antenna “%(title)s” caught:\n\n%(entry)s\n")
            % {"title": hit.antenna.title, "entry": _entry_text(hit)},
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


def _title(hit: AntennaHit) -> str:
    if hit.status is not None:
        return hit.status.account.name
    return hit.item.title if hit.item is not None else ""


def _entry_text(hit: AntennaHit) -> str:
    if hit.status is not None:
        status = hit.status
        text = status.spoiler_text or plain_text(status.content)
        return f"{status.account.full_handle}: {text}\n{status.url or status.uri}"
    item = hit.item
    assert item is not None
    return f"{item.title}\n{item.summary[:500]}\n{item.url}"


def send_daily_summaries() -> int:
    """Mail each daily-summary antenna's new hits once a day; returns the mails sent."""
    sent = 0
    day_ago = timezone.now() - timedelta(days=1)
    due = Antenna.objects.filter(email=EmailMode.DAILY).exclude(emailed_at__gt=day_ago)
    for antenna in due.select_related("owner__user"):
        hits = list(
            antenna.hits.filter(key__gt=antenna.emailed_key)
            .select_related("status__account", "item")
            .order_by("key")[:100]
        )
        user = antenna.owner.user
        newest = antenna.hits.aggregate(newest=Max("key"))["newest"] or antenna.emailed_key
        if hits and user is not None and user.email:
            with translation.override(user.locale or settings.LANGUAGE_CODE):
                send_mail(
                    _("Antenna “%(title)s”: the day's summary") % {"title": antenna.title},
                    "\n\n".join(_entry_text(hit) for hit in hits) + "\n",
                    settings.DEFAULT_FROM_EMAIL,
                    [user.email],
                )
            sent += 1
        Antenna.objects.filter(pk=antenna.pk).update(emailed_key=newest, emailed_at=timezone.now())
    return sent


# --- outside feeds ----------------------------------------------------------------------------

MIN_INTERVAL = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)
MAX_FEED_BYTES = 2 * 1024 * 1024
ITEMS_PER_POLL = 100
POLL_BATCH = 100


def _check_feed_url(url: str) -> str:
    url = url.strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            _("Give the address of a feed (http or https)."), code="url"
        ) from None
    try:
        http.check_url(url)
    except http.HttpError:
        raise ValidationError(_("This address cannot be fetched from here."), code="url") from None
    return url


def follow_source(account: Account, url: str, title: str = "") -> Source:
    """Follow an outside feed; the worker fetches it at once if it is new."""
    url = _check_feed_url(url)
    with transaction.atomic():
        if Subscription.objects.filter(account=account).count() >= MAX_SOURCES:
            raise ValidationError(
                _("You follow %(max)d feeds already.") % {"max": MAX_SOURCES}, code="limit"
            )
        source, created = Source.objects.get_or_create(url=url, defaults={"title": title[:300]})
        Subscription.objects.get_or_create(account=account, source=source)
        if created:
            from babillard.watch.tasks import poll_source

            enqueue_on_commit(poll_source, source.pk)
    return source


def unfollow_source(account: Account, source: Source) -> None:
    """Stop following; a feed nobody follows any more is forgotten with its items."""
    with transaction.atomic():
        deleted, _kinds = Subscription.objects.filter(account=account, source=source).delete()
        if not deleted:
            raise NotFound(source.pk)
        Column.objects.filter(owner=account, kind="source", params__source_id=source.pk).delete()
        if not Subscription.objects.filter(source=source).exists():
            source.delete()


def _backoff(errors: int) -> timedelta:
    return min(MIN_INTERVAL * (2**errors), MAX_BACKOFF)


def poll_source(source_id: int, force: bool = False) -> int:
    """Fetch a feed politely and store its new items; returns how many are new.

    Conditional GET (ETag, Last-Modified), at most every ``MIN_INTERVAL``, a size
    limit, and a doubling delay after each failure (up to a day).
    """
    source = Source.objects.filter(pk=source_id).first()
    now = timezone.now()
    if source is None or (not force and source.next_poll_at > now):
        return 0
    headers = {"Accept": outside.ACCEPT}
    if source.etag:
        headers["If-None-Match"] = source.etag
    if source.last_modified:
        headers["If-Modified-Since"] = source.last_modified
    try:
        response = http.request("GET", source.url, headers=headers, max_bytes=MAX_FEED_BYTES)
        if response.status_code == 304:
            _polled(source, now)
            return 0
        if not response.ok:
            raise http.HttpError(f"HTTP {response.status_code}")
        parsed = outside.parse(response.content, response.headers.get("content-type", ""))
    except (http.HttpError, outside.FeedError) as error:
        source.errors += 1
        source.last_error = str(error)[:300]
        source.polled_at = now
        source.next_poll_at = now + _backoff(source.errors)
        source.save(update_fields=["errors", "last_error", "polled_at", "next_poll_at"])
        return 0
    source.etag = response.headers.get("etag", "")[:300]
    source.last_modified = response.headers.get("last-modified", "")[:100]
    source.title = source.title or parsed.title[:300]
    source.site_url = parsed.link[:2000] if parsed.link.startswith("http") else source.site_url
    source.kind = parsed.kind
    new_items = _store_items(source, parsed.entries[:ITEMS_PER_POLL])
    _polled(source, now)
    for item in new_items:
        _match_item(item, parsed.language)
    return len(new_items)


def _polled(source: Source, now: Any) -> None:
    source.errors = 0
    source.last_error = ""
    source.polled_at = now
    source.next_poll_at = now + MIN_INTERVAL
    source.save()


def _store_items(source: Source, entries: list[outside.Entry]) -> list[SourceItem]:
    known = set(
        SourceItem.objects.filter(source=source, guid__in=[e.guid for e in entries]).values_list(
            "guid", flat=True
        )
    )
    created = []
    for entry in entries:
        if entry.guid in known:
            continue
        known.add(entry.guid)
        item = SourceItem(
            id=outside.item_id(entry.published),
            source=source,
            guid=entry.guid,
            url=entry.url,
            title=entry.title,
            summary=entry.summary,
            author=entry.author,
            published_at=entry.published,
        )
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError:
            continue
        created.append(item)
    return created


def _match_item(item: SourceItem, language: str) -> None:
    """Items feed the antennas of the feed's own readers only."""
    index = current_index()
    rules = index.match(arrival_of_item(item, language))
    if not rules:
        return
    readers = set(
        Subscription.objects.filter(source=item.source).values_list("account_id", flat=True)
    )
    wanted = [r.antenna_id for r in rules if r.owner_id in readers]
    antennas = Antenna.objects.select_related("owner").filter(pk__in=wanted)
    record_hits([Catch(antenna, item=item) for antenna in antennas])


def due_sources() -> list[int]:
    """Sources whose next poll has come, oldest first."""
    return list(
        Source.objects.filter(next_poll_at__lte=timezone.now())
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[:POLL_BATCH]
    )


# --- OPML -------------------------------------------------------------------------------------


@dataclass
class OpmlReport:
    """``imported``: feeds now followed from the file; ``failed``: (url, reason) pairs;
    ``removed``: feeds unfollowed by an overwrite."""

    imported: int = 0
    removed: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


MAX_OPML_BYTES = 1024 * 1024


def _outlines(data: bytes) -> list[tuple[str, str]]:
    if len(data) > MAX_OPML_BYTES:
        raise ValidationError(_("The OPML file is larger than 1 MB."), code="data")
    # Entities are refused outright: no expansion bombs, no external entities.
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise ValidationError(_("The OPML file may not declare a document type."), code="data")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 (no DOCTYPE, checked above)
    except ElementTree.ParseError:
        raise ValidationError(_("This is not an OPML file."), code="data") from None
    if root.tag != "opml":
        raise ValidationError(_("This is not an OPML file."), code="data")
    found = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url:
            found.append((url, (outline.get("title") or outline.get("text") or "").strip()))
    return found


def import_opml(account: Account, data: bytes, mode: str = "merge") -> OpmlReport:
    """Follow every feed of an OPML file (``merge``), or exactly those (``overwrite``)."""
    if mode not in ("merge", "overwrite"):
        raise ValidationError(_("The mode is merge or overwrite."), code="mode")
    outlines = _outlines(data)
    report = OpmlReport()
    wanted: set[int] = set()
    for url, title in outlines:
        try:
            source = follow_source(account, url, title)
        except ValidationError as error:
            report.failed.append((url, " ".join(error.messages)))
            continue
        wanted.add(source.pk)
        report.imported += 1
    if mode == "overwrite":
        for subscription in (
            Subscription.objects.filter(account=account)
            .exclude(source_id__in=wanted)
            .select_related("source")
        ):
            unfollow_source(account, subscription.source)
            report.removed += 1
    return report


def export_opml(account: Account) -> bytes:
    """The feeds an account follows, as an OPML 2.0 document."""
    root = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(root, "head")
    ElementTree.SubElement(head, "title").text = _("Feeds followed by %(handle)s") % {
        "handle": account.full_handle
    }
    ElementTree.SubElement(head, "ownerId").text = links.account_url(account.username)
    body = ElementTree.SubElement(root, "body")
    subscriptions = Subscription.objects.filter(account=account).select_related("source")
    for subscription in subscriptions.order_by("id"):
        source = subscription.source
        attributes = {"type": "rss", "text": source.title or source.url, "xmlUrl": source.url}
        if source.title:
            attributes["title"] = source.title
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        ElementTree.SubElement(body, "outline", attributes)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        root, encoding="utf-8", xml_declaration=False
    )


# --- the deck ---------------------------------------------------------------------------------


def add_column(
    owner: Account, kind: str, params: dict[str, Any] | None = None, width: str = Width.NORMAL
) -> Column:
    """A new column at the right end of the deck; its kind checks its parameters."""
    found = column_kind(kind)
    if width not in Width.values:
        raise ValidationError(_("Unknown column width."), code="width")
    clean = found.clean(owner, dict(params or {}))
    with transaction.atomic():
        count = Column.objects.filter(owner=owner).count()
        if count >= MAX_COLUMNS:
            raise ValidationError(
                _("A deck holds at most %(max)d columns.") % {"max": MAX_COLUMNS}, code="limit"
            )
        last = Column.objects.filter(owner=owner).aggregate(last=Max("position"))["last"]
        return Column.objects.create(
            owner=owner,
            kind=kind,
            params=clean,
            width=width,
            position=0 if last is None else last + 1,
        )


def _own_column(owner: Account, column_id: int) -> Column:
    found = Column.objects.filter(owner=owner, pk=column_id).first()
    if found is None:
        raise NotFound(column_id)
    return found


def move_column(owner: Account, column_id: int, step: int) -> None:
    """Move a column ``step`` places (negative: to the left)."""
    with transaction.atomic():
        ordered = list(
            Column.objects.select_for_update().filter(owner=owner).order_by("position", "id")
        )
        moving = next((c for c in ordered if c.pk == column_id), None)
        if moving is None:
            raise NotFound(column_id)
        start = ordered.index(moving)
        ordered.remove(moving)
        ordered.insert(max(0, min(len(ordered), start + step)), moving)
        for position, column in enumerate(ordered):
            if column.position != position:
                Column.objects.filter(pk=column.pk).update(position=position)


def set_column_width(owner: Account, column_id: int, width: str) -> Column:
    if width not in Width.values:
        raise ValidationError(_("Unknown column width."), code="width")
    column = _own_column(owner, column_id)
    Column.objects.filter(pk=column.pk).update(width=width)
    column.width = width
    return column


def remove_column(owner: Account, column_id: int) -> None:
    _own_column(owner, column_id).delete()


def mark_column_read(owner: Account, column_id: int, key: int) -> Column:
    """Everything up to ``key`` (the newest entry shown) is read; never goes back."""
    column = _own_column(owner, column_id)
    if key > column.read_key:
        Column.objects.filter(pk=column.pk).update(read_key=key)
        column.read_key = key
    return column
