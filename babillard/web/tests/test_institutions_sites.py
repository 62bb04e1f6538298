"""Site pages: management, the public page and its live part, the list by city, the
network page, the staff phone page, statistics, the open-data CSV and the widget."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from babillard.accounts.models import Account, AccountKind
from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.institutions import services as institution_services
from babillard.institutions.models import Site
from babillard.occupancy import services as occupancy_services
from babillard.occupancy.models import AutoPostPolicy, SensorToken, Space
from babillard.statuses.models import Status
from babillard.timelines.queries import home
from babillard.web.tests.conftest import logged_in

pytestmark = pytest.mark.django_db

EMBED_LIMIT = 10 * 1024


@pytest.fixture
def library(db: None) -> Account:
    return make_account("bibli", kind=AccountKind.INSTITUTION, display_name="Bibliothèque")


@pytest.fixture
def people(library: Account) -> dict[str, Account]:
    found = {role: make_account(f"{role}_person") for role in ("manager", "staff")}
    for role, person in found.items():
        institution_services.add_member(library, library, person, role)
    found["outsider"] = make_account("outsider")
    return found


@pytest.fixture
def site(library: Account) -> Site:
    created = institution_services.create_site(
        library, name="Site Richelieu", address="5 rue Vivienne", city="Paris", postcode="75002"
    )
    occupancy_services.create_space(library, created, "Salle Labrouste", 2)
    occupancy_services.create_space(library, created, "Salle Ovale", 100)
    return created


def test_manager_creates_a_site_with_hours_and_rooms(library: Account, people: dict) -> None:
    client = logged_in(people["manager"], "en")
    bad = client.post(
        f"/institutions/{library.pk}/sites",
        {"name": "Centre", "time_zone": "Europe/Paris", "hours_mon": "9h à 19h"},
    )
    assert bad.status_code == 400
    response = client.post(
        f"/institutions/{library.pk}/sites",
        {
            "name": "Centre",
            "city": "Lyon",
            "latitude": "45.76",
            "longitude": "4.83",
            "time_zone": "Europe/Paris",
            "hours_mon": "09:00-12:00, 14:00-19:00",
            "hours_sat": "10:00-18:00",
        },
    )
    assert response.status_code == 302
    site = Site.objects.get(name="Centre")
    assert site.opening_hours == {
        "mon": [["09:00", "12:00"], ["14:00", "19:00"]],
        "sat": [["10:00", "18:00"]],
    }
    for name, capacity in (("Rez-de-chaussée", "40"), ("Étage", "60")):
        client.post(
            f"/sites/{site.pk}/manage/space", {"space-name": name, "space-capacity": capacity}
        )
    assert list(site.spaces.values_list("name", "capacity")) == [
        ("Rez-de-chaussée", 40),
        ("Étage", 60),
    ]
    refused = client.post(
        f"/sites/{site.pk}/manage/space", {"space-name": "Zéro", "space-capacity": "0"}
    )
    assert refused.status_code == 400
    client.post(
        f"/sites/{site.pk}/manage/closure",
        {"closure-start": "2099-08-01", "closure-end": "2099-08-15", "closure-reason": "Travaux"},
    )
    assert site.closures.get().reason == "Travaux"
    backwards = client.post(
        f"/sites/{site.pk}/manage/closure",
        {"closure-start": "2099-08-15", "closure-end": "2099-08-01"},
    )
    assert backwards.status_code == 400
    client.post(
        f"/sites/{site.pk}/manage/holiday",
        {"holiday-start": "2099-10-20", "holiday-end": "2099-11-02", "holiday-reason": "Toussaint"},
    )
    assert "Toussaint" in client.get(f"/sites/{site.pk}/manage").text


def test_sensor_token_is_shown_once_and_revoked(site: Site, people: dict) -> None:
    client = logged_in(people["manager"])
    response = client.post(f"/sites/{site.pk}/manage/token", {"token-name": "Porte nord"})
    token = SensorToken.objects.get(site=site)
    raw = response.content.decode().split('<code class="token">')[1].split("<")[0]
    assert occupancy_services.authenticate_sensor_token(raw) == token
    assert raw not in client.get(f"/sites/{site.pk}/manage").text
    client.post(f"/sites/{site.pk}/manage/token/{token.pk}/remove")
    assert occupancy_services.authenticate_sensor_token(raw) is None


def test_managers_pages_are_refused_to_others(site: Site, people: dict) -> None:
    for path in (
        f"/sites/{site.pk}/manage",
        f"/sites/{site.pk}/statistics",
        f"/institutions/{site.institution_id}/sites",
    ):
        assert Client().get(path).status_code == 302, path
        assert logged_in(people["outsider"]).get(path).status_code == 403, path
        assert logged_in(people["staff"]).get(path).status_code == 403, path
        assert logged_in(people["manager"]).get(path).status_code == 200, path
    refused = logged_in(people["outsider"]).post(
        f"/sites/{site.pk}/manage/space", {"space-name": "X", "space-capacity": "3"}
    )
    assert refused.status_code == 403
    assert site.spaces.count() == 2


def test_phone_page_declares_a_room_full_and_the_public_pages_show_it(
    site: Site, people: dict
) -> None:
    client = logged_in(people["staff"], "en")
    page = client.get("/occupancy").text
    assert "Salle Labrouste" in page and 'value="plus"' in page
    space = site.spaces.get(name="Salle Labrouste")
    client.post(f"/spaces/{space.pk}/occupancy", {"action": "plus"})
    client.post(f"/spaces/{space.pk}/occupancy", {"action": "queue", "queue_minutes": "30"})
    space.refresh_from_db()
    assert (space.count, space.queue_minutes) == (1, 30)
    client.post(f"/spaces/{space.pk}/occupancy", {"action": "full"})
    assert Space.objects.get(pk=space.pk).declared_full
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/sites/{site.pk}").text
    assert "Complet" in french and "Salle Labrouste" in french
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/sites/{site.pk}").text
    assert "Full" in english and "queue: 30 minutes" in english
    assert "openstreetmap" not in english  # no coordinates, no map link
    live = Client().get(f"/sites/{site.pk}/live", HTTP_HX_REQUEST="true")
    assert live.status_code == 200 and 'id="live"' in live.text
    client.post(f"/spaces/{space.pk}/occupancy", {"action": "open"})
    assert not Space.objects.get(pk=space.pk).declared_full


def test_phone_page_refuses_bad_input_and_outsiders(site: Site, people: dict) -> None:
    space = site.spaces.get(name="Salle Ovale")
    client = logged_in(people["staff"], "en")
    response = client.post(f"/spaces/{space.pk}/occupancy", {"action": "minus"}, follow=True)
    assert "cannot go below zero" in response.text
    client.post(f"/spaces/{space.pk}/occupancy", {"action": "set", "count": "abc"})
    assert Space.objects.get(pk=space.pk).updated_at is None
    outsider = logged_in(people["outsider"])
    assert outsider.post(f"/spaces/{space.pk}/occupancy", {"action": "plus"}).status_code == 403
    assert "Salle" not in outsider.get("/occupancy").text
    assert Client().post(f"/spaces/{space.pk}/occupancy", {"action": "plus"}).status_code == 302
    htmx = client.post(
        f"/spaces/{space.pk}/occupancy", {"action": "set", "count": "5"}, HTTP_HX_REQUEST="true"
    )
    assert htmx.status_code == 200 and "5 of 100 seats taken" in htmx.text


def test_phone_page_needs_the_csrf_token(site: Site, people: dict) -> None:
    space = site.spaces.first()
    assert space is not None
    client = logged_in(people["staff"])
    client.handler.enforce_csrf_checks = True
    assert client.post(f"/spaces/{space.pk}/occupancy", {"action": "plus"}).status_code == 403


def test_widget_is_small_frameable_and_bilingual(site: Site, library: Account) -> None:
    space = site.spaces.get(name="Salle Labrouste")
    occupancy_services.update_occupancy(space, library, count=2, queue_minutes=15)
    for language, word in (("fr", "Complet"), ("en", "Full")):
        response = Client().get(f"/embed/sites/{site.pk}?lang={language}")
        assert response.status_code == 200
        assert word in response.text
        assert f'lang="{language}"' in response.text
        assert len(response.content) < EMBED_LIMIT
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "<script" not in response.text
    assert Client().get("/embed/sites/999999").status_code == 404
    # Ordinary pages still refuse to be framed.
    assert "frame-ancestors 'none'" in Client().get(f"/sites/{site.pk}")["Content-Security-Policy"]


def test_widget_stays_under_ten_kilobytes_with_many_rooms(site: Site, library: Account) -> None:
    for number in range(20):
        occupancy_services.create_space(library, site, f"Salle de lecture numéro {number}", 50)
    response = Client().get(f"/embed/sites/{site.pk}?lang=fr")
    assert len(response.content) < EMBED_LIMIT


def test_automatic_post_reaches_the_followers_home(site: Site, people: dict) -> None:
    reader = make_account("reader")
    follow(reader, site.institution)
    manager = logged_in(people["manager"])
    manager.post(
        f"/sites/{site.pk}/manage/auto_posts",
        {
            "enabled": "on",
            "max_per_day": "6",
            "language": "fr",
            "full_fr": "{space} est complète.",
        },
    )
    assert AutoPostPolicy.objects.get(site=site).enabled
    space = site.spaces.get(name="Salle Labrouste")
    logged_in(people["staff"]).post(f"/spaces/{space.pk}/occupancy", {"action": "full"})
    post = Status.objects.get(account=site.institution)
    assert post.text == "Salle Labrouste est complète."
    assert post in home(reader).items


def test_site_list_network_and_open_data(site: Site, library: Account) -> None:
    listing = Client(HTTP_ACCEPT_LANGUAGE="en").get("/sites").text
    assert "Paris" in listing and "Site Richelieu" in listing
    assert "Site Richelieu" in Client().get(f"/sites?institution={library.pk}").text
    assert "Site Richelieu" not in Client().get("/sites?institution=999999").text
    network = make_account("reseau", kind=AccountKind.INSTITUTION)
    institution_services.update_institution(network, network, type="network")
    institution_services.set_network(library, library, network)
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/institutions/{network.pk}/network")
    assert page.status_code == 200 and "Salle Ovale" in page.text
    assert Client().get(f"/institutions/{library.pk}/network").status_code == 404
    space = site.spaces.first()
    assert space is not None
    occupancy_services.update_occupancy(space, library, count=1)
    month = timezone.localdate().strftime("%Y-%m")
    csv = Client().get(f"/sites/{site.pk}/history.csv?month={month}")
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("site_id,space_id")
    assert len(csv.text.splitlines()) == 2
    assert Client().get(f"/sites/{site.pk}/history.csv?month=nope").status_code == 400


def test_statistics_show_numbers_with_the_colours(
    site: Site, library: Account, people: dict
) -> None:
    space = site.spaces.get(name="Salle Ovale")
    yesterday = timezone.now() - timedelta(days=1)
    occupancy_services.update_occupancy(space, library, count=80, now=yesterday)
    page = logged_in(people["manager"], "en").get(f"/sites/{site.pk}/statistics")
    assert page.status_code == 200
    assert 'class="heat-3">80<' in page.text
    assert "Busiest days" in page.text and "78 %" in page.text  # 80 of 102 seats


def test_site_page_shows_a_room_added_after_the_forecast_was_cached(
    site: Site, library: Account
) -> None:
    assert Client().get(f"/sites/{site.pk}").status_code == 200
    occupancy_services.create_space(library, site, "Salle nouvelle", 10)
    page = Client().get(f"/sites/{site.pk}")
    assert page.status_code == 200 and "Salle nouvelle" in page.text
