"""RSS and Atom feeds of a public profile and of a hashtag: public posts only."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from babillard.accounts.models import Account, Visibility
from babillard.accounts.queries import get_local_account
from babillard.core import links
from babillard.core.errors import NotFound
from babillard.statuses.formatting import plain_text
from babillard.statuses.models import Status
from babillard.statuses.queries import visible_statuses, with_relations

FEED_SIZE = 20


def _public_posts() -> QuerySet[Status]:
    # What an anonymous visitor may see, narrowed to public posts (never unlisted,
    # followers-only, direct or local-only ones), without boosts.
    return visible_statuses(None).filter(visibility=Visibility.PUBLIC, reblog__isnull=True)


class _StatusFeed(Feed):  # type: ignore[type-arg]
    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if settings.PRIVATE_INSTANCE:
            raise Http404
        return super().__call__(request, *args, **kwargs)

    def item_title(self, item: Status) -> str:
        text = item.spoiler_text or plain_text(item.content)
        return f"{item.account.name}: {text[:80]}"

    def item_description(self, item: Status) -> str:
        media = "".join(
            f'<p><img src="{links.absolute(m.preview_url)}" alt="{_escape(m.description)}"></p>'
            for m in item.media.all()
        )
        return item.content + media

    def item_link(self, item: Status) -> str:
        return links.status_url(item.account.username, item.pk)

    def item_pubdate(self, item: Status) -> object:
        return item.created_at

    def item_updateddate(self, item: Status) -> object:
        return item.edited_at or item.created_at

    def item_author_name(self, item: Status) -> str:
        return item.account.name


def _escape(text: str) -> str:
    from django.utils.html import escape

    return str(escape(text))


class AccountRss(_StatusFeed):
    def get_object(self, request: HttpRequest, username: str) -> Account:
        try:
            return get_local_account(username)
        except NotFound:
            raise Http404 from None

    def title(self, obj: Account) -> str:
        return f"{obj.name} ({obj.full_handle})"

    def link(self, obj: Account) -> str:
        return links.account_url(obj.username)

    def description(self, obj: Account) -> str:
        return plain_text(obj.note_html) or _("Public posts of %(name)s") % {"name": obj.name}

    def items(self, obj: Account) -> list[Status]:
        found = _public_posts().filter(account=obj)
        return list(with_relations(found).order_by("-id")[:FEED_SIZE])


class AccountAtom(AccountRss):
    feed_type = Atom1Feed
    subtitle = AccountRss.description


class TagRss(_StatusFeed):
    def get_object(self, request: HttpRequest, name: str) -> str:
        return name.casefold()

    def title(self, obj: str) -> str:
        return f"#{obj} ({settings.INSTANCE_NAME})"

    def link(self, obj: str) -> str:
        return links.tag_url(obj)

    def description(self, obj: str) -> str:
        return _("Public posts with the hashtag #%(name)s") % {"name": obj}

    def items(self, obj: str) -> list[Status]:
        found = _public_posts().filter(tags__name=obj, account__silenced_at__isnull=True)
        return list(with_relations(found).order_by("-id")[:FEED_SIZE])


class TagAtom(TagRss):
    feed_type = Atom1Feed
    subtitle = TagRss.description
