"""iCalendar (RFC 5545) documents of events, built with the ``icalendar`` package.

Times are written in the event's own zone (``DTSTART;TZID=Europe/Paris:...``) and
the calendar carries a ``VTIMEZONE`` for every zone used, so a calendar program
keeps the local hour across a daylight-saving change. ``SEQUENCE`` is the event's
change counter and a cancelled event says ``STATUS:CANCELLED``.
"""

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, vCalAddress, vText
from icalendar import Event as VEvent

from babillard.core import links
from babillard.events import services
from babillard.events.models import Event, EventState

STATUS = {
    EventState.CONFIRMED: "CONFIRMED",
    EventState.TENTATIVE: "TENTATIVE",
    EventState.POSTPONED: "TENTATIVE",
    EventState.MOVED_ONLINE: "CONFIRMED",
    EventState.CANCELLED: "CANCELLED",
}


def uid(event: Event) -> str:
    """Stable across feeds and servers: the event's ActivityPub id."""
    return event.uri or services.event_url(event)


def _vevent(event: Event) -> VEvent:
    zone = ZoneInfo(event.time_zone)
    item = VEvent()
    item.add("uid", uid(event))
    item.add("dtstamp", timezone.now())
    item.add("created", event.created_at)
    item.add("last-modified", event.updated_at)
    item.add("sequence", event.sequence)
    item.add("summary", event.title)
    item.add("dtstart", event.starts_at.astimezone(zone))
    item.add("dtend", event.ends_at.astimezone(zone))
    item.add("status", STATUS[EventState(event.state)])
    item.add("url", services.event_url(event))
    description = event.description_html and services.plain_description(event)
    if description:
        item.add("description", description)
    place = services.place_text(event)
    if event.online_url and (event.state == EventState.MOVED_ONLINE or not place):
        place = event.online_url
    if place:
        item.add("location", place)
    organizer = vCalAddress(event.organizer.uri or links.account_url(event.organizer.username))
    organizer.params["cn"] = vText(event.organizer.name)
    item.add("organizer", organizer)
    for tag in event.tags.all():
        item.add("categories", tag.display_name)
    return item


def calendar(events: Iterable[Event], name: str) -> bytes:
    """One calendar with the given events and the ``VTIMEZONE`` of each zone they use."""
    document = Calendar()
    document.add("prodid", f"-//{settings.INSTANCE_NAME}//Babillard//EN")
    document.add("version", "2.0")
    document.add("calscale", "GREGORIAN")
    document.add("x-wr-calname", name)
    for event in events:
        document.add_component(_vevent(event))
    document.add_missing_timezones()
    return document.to_ical()
