"""The demo command builds its libraries and conversation once, through the services."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from babillard.accounts.models import Account, Follow
from babillard.core.testing import run_due_tasks
from babillard.statuses.models import Status

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_readable(settings: object) -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    counts = (Account.objects.count(), Status.objects.count(), Follow.objects.count())
    call_command("demo", stdout=io.StringIO())
    run_due_tasks()
    assert (Account.objects.count(), Status.objects.count(), Follow.objects.count()) == counts
    assert "camille" in out.getvalue() and "babillard-demo-2026" in out.getvalue()
    lyon = Account.objects.get(username="bu_lyon2")
    assert (lyon.kind, lyon.city) == ("institution", "Lyon")
    question = Status.objects.get(text__startswith="C'est moi ou Cairn")
    assert question.replies.count() == 5
    assert Status.objects.filter(poll__voters_count=4).exists()
    client = Client()
    assert client.login(username="julien", password="babillard-demo-2026")
    home = client.get("/home").content.decode()
    assert "Cairn" in home
