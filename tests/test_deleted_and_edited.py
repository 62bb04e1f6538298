"""After an edit or a delete completes, the old text is on no surface.

One public post is caught by a reader's antenna, put on a public board, indexed for
search, rendered once by the API (which caches the body), notified to the mentioned
reader and written to the author's archive. After the edit, only the post's own edit
history (Mastodon's, shown to those who may see the post) keeps the earlier words;
after the delete, nothing does.
"""

import io
import zipfile

from django.core.cache import cache

from babillard.accounts.services import follow
from babillard.api import oauth
from babillard.api.serializers import _body_key
from babillard.boards.models import Item
from babillard.boards.services import add_item, create_board
from babillard.core.testing import make_account
from babillard.notifications.models import Notification
from babillard.portability import account_archive
from babillard.search.models import StatusDocument
from babillard.search.queries import search_statuses
from babillard.statuses.models import Status
from babillard.statuses.services import delete_status, edit_status, post_status
from babillard.watch import queries as watch_queries
from babillard.watch.models import AntennaHit
from babillard.watch.services import create_antenna

OLD = "motancien"
NEW = "motnouveau"


def _surfaces(client, author, reader, token, post_pk: int, board_pk: int) -> dict[str, str]:
    """The text each surface shows now, as its readers would fetch it."""
    api = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    antenna = watch_queries.antennas(reader).get()
    texts = {
        "search": " ".join(s.text for s in search_statuses(reader, OLD)),
        "search index": " ".join(StatusDocument.objects.values_list("body", flat=True)),
        "antenna": " ".join(s.text for s in watch_queries.antenna_statuses(reader, antenna).items),
        "archive": _archive_text(author),
    }
    pages = {
        "post page": f"/@author/{post_pk}",
        "profile": "/@author",
        "profile feed": "/@author.rss",
        "hashtag": "/tags/matrice",
        "hashtag wall": "/tags/matrice/wall/posts",
        "board": f"/boards/{board_pk}",
        "board feed": f"/boards/{board_pk}/feed.atom",
        "local timeline": "/public/local",
    }
    for name, path in pages.items():
        texts[name] = client.get(path).content.decode()
    for path in (
        "/api/v1/timelines/home",
        "/api/v1/notifications",
        f"/api/v2/search?q={OLD}",
        f"/api/v1/statuses/{post_pk}",
    ):
        texts[path] = client.get(path, **api).content.decode()
    texts["cached API body"] = str(cache.get(_body_key(post_pk)))
    return texts


def _archive_text(author) -> str:
    data = account_archive.build(author, lambda done, total: None)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return " ".join(
            archive.read(name).decode(errors="replace")
            for name in archive.namelist()
            if name.endswith(".json")
        )


def test_no_trace_of_the_old_text_after_edit_then_delete(db, client):
    author = make_account("author")
    reader = make_account("reader")
    follow(reader, author)
    create_antenna(reader, title="Matrice", keywords=["matrice"])
    board = create_board(author, "Vitrine", visibility="public")
    post = post_status(author, f"@reader #matrice {OLD} premier jet")
    add_item(author, board, status=post)
    app = oauth.register_app("Traces", [oauth.OOB], oauth.parse_scopes("read"), "")
    token = oauth.issue_token(reader.user, app.application, ["read"]).raw

    before = _surfaces(client, author, reader, token, post.pk, board.pk)
    assert not [name for name, text in before.items() if OLD not in text]

    edit_status(author, post, f"@reader #matrice {NEW} second jet")
    after_edit = _surfaces(client, author, reader, token, post.pk, board.pk)
    assert not [name for name, text in after_edit.items() if OLD in text]
    assert NEW in after_edit["board"]
    assert NEW in after_edit["antenna"]

    delete_status(Status.objects.get(pk=post.pk))
    after_delete = _surfaces(client, author, reader, token, post.pk, board.pk)
    assert not [name for name, text in after_delete.items() if NEW in text or OLD in text]
    assert not AntennaHit.objects.filter(status_id=post.pk).exists()
    assert not Item.objects.filter(status_id=post.pk).exists()
    assert not Notification.objects.filter(status_id=post.pk).exists()
    assert cache.get(_body_key(post.pk)) is None
