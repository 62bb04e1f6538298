"""Every write about events: creating, editing, cancelling and deleting them, joining
and leaving, the waiting list, reminders and the private calendar feed.

Front doors map onto these functions one to one (``queries`` for the reads):

- POST   /api/babillard/v1/events                      -> create_event
- PATCH  /api/babillard/v1/events/:id                  -> update_event
- DELETE /api/babillard/v1/events/:id                  -> delete_event
- POST   /api/babillard/v1/events/:id/cancel           -> cancel_event
- POST   /api/babillard/v1/events/:id/participation    -> join_event
- DELETE /api/babillard/v1/events/:id/participation    -> leave_event
- GET    /api/babillard/v1/events/:id/participants     -> events.queries.participants
- the "my events" page's new feed address             -> regenerate_feed_token
- ActivityPub Join, Leave, Undo{Join}, Accept, Reject  -> events.federation, then the same
  join_event and leave_event, and confirm_participation / refuse_participation

Whoever may act as the organiser manages the event: the organiser itself, or an
editor of the organising institution. Refusals raise ``Forbidden``.
"""

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, AccountKind
from babillard.core import links
from babillard.core.errors import Forbidden
from babillard.core.tasks import enqueue_at, enqueue_on_commit
from babillard.events.models import (
    Audience,
    CalendarSettings,
    Event,
    EventState,
    Participation,
    ParticipationState,
    Registration,
)
from babillard.institutions.models import ActingGrant, Role, Site
from babillard.institutions.queries import has_role
from babillard.notifications.models import Notification, NotificationType
from babillard.notifications.services import notify
from babillard.statuses.models import Status
from babillard.statuses.services import get_or_create_tag, render_text

MAX_TAGS = 10
PLACE_IN_POST = 150
TITLE_MAX = 200
# Changes participants are told about.
NOTIFIED_FIELDS = ("starts_at", "ends_at", "time_zone", "site", "address", "online_url", "state")
EDITABLE_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "timezone",
    "site",
    "address",
    "online_url",
    "audience",
    "accessibility_notes",
    "cover_alt",
    "capacity",
    "registration",
    "registration_url",
    "waiting_list",
    "state",
)


def event_url(event: Event) -> str:
    """The event's page; for a local event also its ActivityPub id."""
    if event.is_local:
        return links.absolute(f"/events/{event.pk}")
    return event.url or event.uri or ""


# --- checking input ------------------------------------------------------------------------


def _clean_zone(value: Any) -> str:
    name = str(value or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone."), code="timezone") from None
    return name


def _clean_moment(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value or "").strip())
        except ValueError:
            raise ValidationError(
                _("Give the date and time as ISO 8601 with an offset."), code=field
            ) from None
    if timezone.is_naive(moment):
        raise ValidationError(_("Give the date and time as ISO 8601 with an offset."), code=field)
    return moment


def _clean_url(value: Any, field: str) -> str:
    url = str(value or "").strip()
    if not url:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(_("Enter a valid web address."), code=field) from None
    return url


def _clean_choice(value: Any, choices: type[Any], field: str, message: str) -> str:
    if value not in choices.values:
        raise ValidationError(message, code=field)
    return str(value)


def _clean_capacity(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        capacity = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("The capacity is a whole number."), code="capacity") from None
    if capacity < 1 or capacity > 1_000_000:
        raise ValidationError(_("The capacity is a whole number."), code="capacity")
    return capacity


def _clean_site(value: Any, organizer: Account) -> Site | None:
    if value in (None, ""):
        return None
    if isinstance(value, Site):
        site = value
    else:
        try:
            site = Site.objects.get(pk=int(value))
        except (Site.DoesNotExist, TypeError, ValueError, OverflowError):
            raise ValidationError(_("Unknown site."), code="site_id") from None
    if site.institution_id != organizer.pk:
        raise ValidationError(_("The site belongs to another institution."), code="site_id")
    return site


def _clean_tags(value: Any) -> list[str]:
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    names: list[str] = []
    for raw in value or []:
        name = str(raw).strip().lstrip("#")
        if not name:
            continue
        if not name.replace("_", "").isalnum() or len(name) > 100:
            raise ValidationError(_("A tag is made of letters, digits and _."), code="tags")
        if name.casefold() not in (n.casefold() for n in names):
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError(_("At most ten tags."), code="tags")
    return names


def _clean(fields: dict[str, Any], organizer: Account) -> dict[str, Any]:
    """Check and normalise the given fields (only those present)."""
    cleaned: dict[str, Any] = {}
    if "title" in fields:
        title = str(fields["title"] or "").strip()
        if not title or len(title) > TITLE_MAX:
            raise ValidationError(_("Give a title of at most 200 characters."), code="title")
        cleaned["title"] = title
    if "description" in fields:
        cleaned["description"] = str(fields["description"] or "").strip()
    for field in ("starts_at", "ends_at"):
        if field in fields:
            cleaned[field] = _clean_moment(fields[field], field)
    if "timezone" in fields:
        cleaned["time_zone"] = _clean_zone(fields["timezone"])
    if "site_id" in fields or "site" in fields:
        cleaned["site"] = _clean_site(fields.get("site_id", fields.get("site")), organizer)
    if "address" in fields:
        cleaned["address"] = str(fields["address"] or "").strip()[:300]
    for field in ("online_url", "registration_url"):
        if field in fields:
            cleaned[field] = _clean_url(fields[field], field)
    if "audience" in fields:
        cleaned["audience"] = _clean_choice(
            fields["audience"] or Audience.ALL, Audience, "audience", _("Unknown audience.")
        )
    for field in ("accessibility_notes", "cover_alt"):
        if field in fields:
            cleaned[field] = str(fields[field] or "").strip()[:1500]
    if "capacity" in fields:
        cleaned["capacity"] = _clean_capacity(fields["capacity"])
    if "registration" in fields:
        cleaned["registration"] = _clean_choice(
            fields["registration"] or Registration.NONE,
            Registration,
            "registration",
            _("Unknown registration mode."),
        )
    if "waiting_list" in fields:
        cleaned["waiting_list"] = bool(fields["waiting_list"])
    if "state" in fields:
        cleaned["state"] = _clean_choice(
            fields["state"], EventState, "status", _("Unknown event status.")
        )
    if "tags" in fields:
        cleaned["tags"] = _clean_tags(fields["tags"])
    unknown = set(fields) - set(EDITABLE_FIELDS) - {"site_id", "tags"}
    if unknown:
        raise ValidationError(
            _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]}, code="invalid"
        )
    return cleaned


def _check_whole(event: Event) -> None:
    """Rules across fields, checked on the event as it would be saved."""
    if event.ends_at < event.starts_at:
        raise ValidationError(_("The event ends before it starts."), code="ends_at")
    if event.registration == Registration.EXTERNAL and not event.registration_url:
        raise ValidationError(_("Give the address where people register."), code="registration_url")
    if event.state == EventState.MOVED_ONLINE and not event.online_url:
        raise ValidationError(_("Give the address of the online event."), code="online_url")


def _check_cover(cover: UploadedFile | None) -> None:
    if cover is None:
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(cover) as image:
            image.verify()
    except (UnidentifiedImageError, OSError):
        raise ValidationError(_("The cover must be an image."), code="cover") from None
    if cover.size and cover.size > settings.MEDIA_MAX_IMAGE_BYTES:
        raise ValidationError(_("The cover image is too large."), code="cover")
    cover.seek(0)


# --- permissions -----------------------------------------------------------------------------


def can_manage(actor: Account | None, event: Event) -> bool:
    """The organiser, or an editor of the organising institution (local events only)."""
    if actor is None or not event.is_local:
        return False
    if actor.pk == event.organizer_id:
        return True
    return event.organizer.kind == AccountKind.INSTITUTION and has_role(
        actor, event.organizer, Role.EDITOR
    )


def _require_manager(actor: Account, event: Event) -> None:
    if not event.is_local:
        raise Forbidden("remote event")
    if not can_manage(actor, event):
        raise Forbidden(Role.EDITOR)


def _organizer_for(author: Account, institution_id: int | str | None) -> Account:
    if institution_id in (None, ""):
        return author
    from babillard.institutions.services import resolve_institution

    return resolve_institution(author, institution_id, Role.EDITOR)


# --- the announcement ------------------------------------------------------------------------


def local_start(event: Event) -> datetime:
    return event.starts_at.astimezone(ZoneInfo(event.time_zone))


def local_end(event: Event) -> datetime:
    return event.ends_at.astimezone(ZoneInfo(event.time_zone))


def place_text(event: Event) -> str:
    """Where, in words: the site, the address, "online", joined."""
    parts = []
    if event.site is not None:
        site = event.site
        parts.append(", ".join(p for p in (site.name, site.address, site.city) if p))
    if event.address:
        parts.append(event.address)
    if event.online_url and (event.state == EventState.MOVED_ONLINE or not parts):
        parts.append(_("online"))
    return " · ".join(parts)


def plain_description(event: Event) -> str:
    from babillard.statuses.formatting import plain_text

    return plain_text(event.description_html)


def when_text(event: Event) -> str:
    start, end = local_start(event), local_end(event)
    day = formats.date_format(start, "DATE_FORMAT")
    if start.date() == end.date():
        return _("%(day)s, %(start)s to %(end)s") % {
            "day": day,
            "start": formats.time_format(start, "TIME_FORMAT"),
            "end": formats.time_format(end, "TIME_FORMAT"),
        }
    return _("%(start)s to %(end)s") % {
        "start": f"{day} {formats.time_format(start, 'TIME_FORMAT')}",
        "end": formats.date_format(end, "DATE_FORMAT")
        + " "
        + formats.time_format(end, "TIME_FORMAT"),
    }


def announcement_text(event: Event, tags: list[str]) -> str:
    """Title, date, time, place and link, as Mastodon clients show the announcement."""
    lines = [event.title, when_text(event)]
    place = place_text(event)
    if place:
        # The post has a length limit; the event page gives the whole address.
        lines.append(place if len(place) <= PLACE_IN_POST else place[: PLACE_IN_POST - 1] + "…")
    lines.append(event_url(event))
    text = "\n".join(lines)
    if tags:
        text += "\n\n" + " ".join(f"#{tag}" for tag in tags)
    return text


def _post_announcement(
    author: Account, event: Event, tags: list[str], grant: ActingGrant | None
) -> Status:
    """Publish the announcement as the organiser; it stays on this instance, since the
    ``Event`` object itself is what other servers receive (see ``events.federation``)."""
    locale = author.user.locale if author.user else ""
    with translation.override(locale or settings.LANGUAGE_CODE):
        text = announcement_text(event, tags)
    options: dict[str, Any] = {"visibility": "public", "local_only": True}
    if event.organizer_id != author.pk:
        from babillard.institutions.services import post_as_institution

        posted = post_as_institution(author, event.organizer, text, grant=grant, **options)
    else:
        from babillard.statuses.services import post_status

        posted = post_status(author, text, **options)
    assert isinstance(posted, Status)
    return posted


# --- creating and changing -------------------------------------------------------------------


def create_event(
    author: Account,
    *,
    institution_id: int | str | None = None,
    grant: ActingGrant | None = None,
    cover: UploadedFile | None = None,
    **fields: Any,
) -> Event:
    """Create an event and publish its announcement in the organiser's timeline."""
    organizer = _organizer_for(author, institution_id)
    for required in ("title", "starts_at", "ends_at", "timezone"):
        if fields.get(required) in (None, ""):
            raise ValidationError(
                _("This field is required: %(field)s.") % {"field": required}, code=required
            )
    cleaned = _clean(fields, organizer)
    tags = cleaned.pop("tags", [])
    _check_cover(cover)
    event = Event(organizer=organizer, created_by=author, **cleaned)
    _check_whole(event)
    event.description_html = render_text(event.description).html if event.description else ""
    with transaction.atomic():
        if cover is not None:
            event.cover.save(cover.name or "cover", cover, save=False)
        event.save()
        event.tags.set([get_or_create_tag(name) for name in tags])
        event.announcement = _post_announcement(author, event, tags, grant)
        event.save(update_fields=["announcement"])
        _schedule_reminder(event)
        from babillard.events import federation

        federation.deliver_event_create(event)
    return event


def update_event(
    actor: Account, event: Event, *, cover: UploadedFile | None = None, **fields: Any
) -> Event:
    """Change an event; participants hear of a new date, place or status."""
    _require_manager(actor, event)
    cleaned = _clean(fields, event.organizer)
    tags = cleaned.pop("tags", None)
    _check_cover(cover)
    with transaction.atomic():
        event = Event.objects.select_for_update().select_related("organizer").get(pk=event.pk)
        before = {field: getattr(event, field) for field in NOTIFIED_FIELDS}
        for field, value in cleaned.items():
            setattr(event, field, value)
        _check_whole(event)
        if "description" in cleaned:
            event.description_html = (
                render_text(event.description).html if event.description else ""
            )
        if cover is not None:
            event.cover.save(cover.name or "cover", cover, save=False)
        event.sequence += 1
        event.updated_at = timezone.now()
        event.save()
        if tags is not None:
            event.tags.set([get_or_create_tag(name) for name in tags])
        if "capacity" in cleaned or "waiting_list" in cleaned:
            _fill_from_waiting_list(event)
        if any(getattr(event, field) != value for field, value in before.items()):
            notify_participants(event)
        if "starts_at" in cleaned:
            _schedule_reminder(event)
        from babillard.events import federation

        federation.deliver_event_update(event)
    return event


def cancel_event(actor: Account, event: Event) -> Event:
    return update_event(actor, event, state=EventState.CANCELLED)


def delete_event(actor: Account, event: Event) -> None:
    """Delete an event and its announcement; other servers receive a ``Delete``."""
    _require_manager(actor, event)
    _remove_event(event)


def _remove_event(event: Event) -> None:
    from babillard.events import federation

    with transaction.atomic():
        federation.deliver_event_delete(event)
        announcement = event.announcement
        cover = event.cover
        event.delete()
        if announcement is not None:
            from babillard.statuses.services import delete_status

            delete_status(announcement)
    if cover:
        transaction.on_commit(partial(cover.storage.delete, str(cover.name)))


def forget_account(sender: Any, account: Account, **kwargs: Any) -> None:
    """``accounts.services.account_deleting``: leave its events, delete those it organizes.

    Leaving recounts the event and moves the waiting list up, which the cascade would not.
    """
    for participation in Participation.objects.filter(account=account).select_related("event"):
        leave_event(account, participation.event)
    if account.is_local:
        for event in Event.objects.filter(organizer=account):
            _remove_event(event)


# --- participation ---------------------------------------------------------------------------


def _recount(event: Event) -> None:
    participations = Participation.objects.filter(event=event)
    event.participants_count = participations.filter(state=ParticipationState.PARTICIPANT).count()
    event.waiting_count = participations.filter(state=ParticipationState.WAITING).count()
    Event.objects.filter(pk=event.pk).update(
        participants_count=event.participants_count, waiting_count=event.waiting_count
    )


def _has_room(event: Event) -> bool:
    return event.capacity is None or event.participants_count < event.capacity


def _check_joinable(event: Event) -> None:
    if event.state == EventState.CANCELLED:
        raise ValidationError(_("This event is cancelled."), code="cancelled")
    if event.registration == Registration.EXTERNAL:
        raise ValidationError(
            _("Registration for this event happens on another site."), code="registration"
        )
    if event.ends_at < timezone.now():
        raise ValidationError(_("This event is over."), code="over")


def join_event(account: Account, event: Event, *, uri: str = "") -> Participation:
    """Join an event: participant, waiting list, or ``pending`` for a remote organiser.

    Joining again answers the participation already there. A full event without a
    waiting list refuses (``ValidationError``).
    """
    if account.is_suspended:
        raise ValidationError(_("This account is suspended."), code="suspended")
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        existing = Participation.objects.filter(event=event, account=account).first()
        if existing is not None:
            return existing
        _check_joinable(event)
        if not event.is_local:
            state = ParticipationState.PENDING
        elif _has_room(event):
            state = ParticipationState.PARTICIPANT
        elif event.waiting_list:
            state = ParticipationState.WAITING
        else:
            raise ValidationError(_("This event is full."), code="full")
        participation = Participation.objects.create(
            event=event, account=account, state=state, uri=uri
        )
        from babillard.events import federation

        if not event.is_local:
            participation.uri = federation.join_id(participation)
            participation.save(update_fields=["uri"])
            federation.deliver_join(participation)
        else:
            _recount(event)
            if not account.is_local:
                federation.deliver_accept(participation)
    return participation


def leave_event(account: Account, event: Event) -> None:
    """Leave an event (or its waiting list); the first on the waiting list moves up."""
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        participation = Participation.objects.filter(event=event, account=account).first()
        if participation is None:
            return
        from babillard.events import federation

        if not event.is_local:
            federation.deliver_leave(participation)
        participation.delete()
        if event.is_local:
            _recount(event)
            _fill_from_waiting_list(event)


def _fill_from_waiting_list(event: Event) -> None:
    """Move waiting participants up while there is room; each is told."""
    from babillard.events import federation

    while _has_room(event):
        first = (
            Participation.objects.filter(event=event, state=ParticipationState.WAITING)
            .select_related("account")
            .order_by("created_at", "id")
            .first()
        )
        if first is None:
            return
        first.state = ParticipationState.PARTICIPANT
        first.save(update_fields=["state"])
        _recount(event)
        _notify(first.account, event, NotificationType.EVENT_PROMOTED)
        if not first.account.is_local:
            federation.deliver_accept(first)


def confirm_participation(participation: Participation, state: str) -> Participation:
    """The remote organiser accepted a local account's ``Join`` (as participant or waiting)."""
    if state not in (ParticipationState.PARTICIPANT, ParticipationState.WAITING):
        state = ParticipationState.PARTICIPANT
    if participation.state != state:
        participation.state = state
        participation.save(update_fields=["state"])
        if state == ParticipationState.PARTICIPANT:
            _notify(participation.account, participation.event, NotificationType.EVENT_PROMOTED)
    return participation


def refuse_participation(participation: Participation) -> None:
    """The remote organiser rejected a local account's ``Join``."""
    participation.delete()


# --- notifications and reminders -------------------------------------------------------------


def _notify(account: Account, event: Event, kind: str) -> None:
    """Notify a local account; a newer notice of the same kind replaces the older one."""
    if account.is_local:
        Notification.objects.filter(
            recipient=account, type=kind, status=event.announcement
        ).delete()
        notify(account, event.organizer, kind, event.announcement)


def notify_participants(event: Event, kind: str = NotificationType.EVENT_UPDATE) -> None:
    """Tell the local participants (and those waiting) of a change."""
    for participation in Participation.objects.filter(
        event=event, account__domain=""
    ).select_related("account"):
        _notify(participation.account, event, kind)


def _schedule_reminder(event: Event) -> None:
    from babillard.events.tasks import send_reminders

    when = event.starts_at - timedelta(days=1)
    if when > timezone.now():
        enqueue_at(send_reminders, when, event.pk, _start_key(event))


def _start_key(event: Event) -> str:
    return event.starts_at.astimezone(UTC).isoformat()


def send_reminders(event_id: int, starts_at: str) -> int:
    """The day-before reminder: a notification, and an e-mail to those who allow it.

    ``starts_at`` is the start the reminder was scheduled for: a reminder for a date
    since changed does nothing (the new date scheduled its own). Returns how many
    participants were reminded.
    """
    event = Event.objects.select_related("announcement").filter(pk=event_id).first()
    if event is None or event.is_cancelled or _start_key(event) != starts_at:
        return 0
    reminded = 0
    for participation in Participation.objects.filter(
        event=event, account__domain="", state=ParticipationState.PARTICIPANT
    ).select_related("account__user"):
        account = participation.account
        _notify(account, event, NotificationType.EVENT_REMINDER)
        if calendar_settings(account).email_reminders and account.user is not None:
            from babillard.events.tasks import send_reminder_email

            enqueue_on_commit(send_reminder_email, event.pk, account.pk)
        reminded += 1
    return reminded


def send_reminder_email(event_id: int, account_id: int) -> None:
    event = Event.objects.filter(pk=event_id).first()
    account = Account.objects.select_related("user").filter(pk=account_id).first()
    if event is None or account is None or account.user is None:
        return
    user = account.user
    with translation.override(user.locale or settings.LANGUAGE_CODE):
        send_mail(
            _("Tomorrow: %(title)s") % {"title": event.title},
            _("Hello %(name)s,\n\nA reminder of the event you joined:\n\n%(details)s\n")
            % {"name": account.name, "details": announcement_text(event, [])},
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


# --- the private calendar feed ---------------------------------------------------------------


def calendar_settings(account: Account) -> CalendarSettings:
    found, _created = CalendarSettings.objects.get_or_create(account=account)
    return found


def regenerate_feed_token(account: Account) -> CalendarSettings:
    """A new secret address for the "my events" feed; the old one stops working."""
    found = calendar_settings(account)
    found.regenerate_feed_token()
    return found


def set_email_reminders(account: Account, allowed: bool) -> CalendarSettings:
    found = calendar_settings(account)
    found.email_reminders = allowed
    found.save(update_fields=["email_reminders"])
    return found
