"""Institutions and live occupancy in real Chromium, in French and in English: the
institution is created and verified, a manager adds an editor, the editor posts as the
institution and the log shows who, a staff member posts for the staff only and an outsider
sees it nowhere, a site with two rooms is created, the staff phone page declares a room
full, the site page and the widget show it, and a follower gets the automatic post."""

from datetime import date
from typing import Any

import pytest

from babillard.accounts.models import AccountKind
from babillard.accounts.services import follow
from babillard.core.testing import make_account
from babillard.institutions.models import AuditEntry, Institution, Site
from babillard.statuses.models import Status
from tests.browser.test_journey import log_in, new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXTS = {
    "fr": {
        "verified": "Institution vérifiée",
        "full": "Complet",
        "official": "Bibliothèque universitaire de Lyon",
        "post": "Les salles de lecture ouvrent à 9 h",
        "internal": "Réunion d'équipe à 14 h",
        "auto": "{space} est complète, revenez plus tard.",
    },
    "en": {
        "verified": "Verified institution",
        "full": "Full",
        "official": "Lyon University Library",
        "post": "The reading rooms open at 9",
        "internal": "Team meeting at 2 pm",
        "auto": "{space} is full, come back later.",
    },
}


def submit(page: Any, form: str = "main form") -> None:
    page.click(f"{form} button[type=submit].primary")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_institution_and_live_occupancy(browser: Any, live_server: Any, language: str) -> None:
    texts = TEXTS[language]
    base = live_server.url
    library = make_account("bu_lyon", kind=AccountKind.INSTITUTION, display_name="BU Lyon")
    for name in ("marie", "eddy", "sam", "olga", "reader"):
        make_account(name)
    make_account("modo", moderator=True)
    follow(make_account("follower"), library)

    # The institution account gives its profile and its first manager.
    institution = new_page(browser, language)
    log_in(institution, base, "bu_lyon")
    institution.goto(f"{base}/institutions/{library.pk}")
    institution.fill("#id_official_name", texts["official"])
    institution.select_option("#id_type", "university")
    institution.fill("#id_isil", "FR-692662101")
    submit(institution)
    institution.wait_for_url(f"{base}/institutions/{library.pk}")
    institution.goto(f"{base}/institutions/{library.pk}/staff")
    institution.fill("#id_username", "marie")
    institution.select_option("#id_role", "manager")
    submit(institution)
    institution.locator("td", has_text="@marie").first.wait_for()

    # A moderator verifies it; the profile shows the badge.
    moderator = new_page(browser, language)
    log_in(moderator, base, "modo")
    moderator.goto(f"{base}/moderation/institutions")
    moderator.click(f"form[action$='/moderation/institutions/{library.pk}/verify'] button")
    moderator.locator(".badge.verified").wait_for()
    assert Institution.objects.get(account=library).verified
    moderator.goto(f"{base}/@bu_lyon")
    assert texts["verified"] in moderator.inner_text(".profile-header")

    # The manager adds an editor and a staff member.
    manager = new_page(browser, language)
    log_in(manager, base, "marie")
    manager.goto(f"{base}/institutions/{library.pk}/staff")
    for username, role in (("eddy", "editor"), ("sam", "staff")):
        manager.fill("#id_username", username)
        manager.select_option("#id_role", role)
        submit(manager)
        manager.locator("td", has_text=f"@{username}").first.wait_for()

    # The editor posts as the institution from the composer; the log shows who.
    editor = new_page(browser, language)
    log_in(editor, base, "eddy")
    editor.goto(f"{base}/compose")
    editor.select_option("#id_identity", str(library.pk))
    editor.fill("#id_text", texts["post"])
    submit(editor, "#compose")
    editor.locator("article", has_text=texts["post"]).first.wait_for()
    posted = Status.objects.get(text=texts["post"])
    assert posted.account_id == library.pk
    manager.goto(f"{base}/institutions/{library.pk}/audit")
    row = manager.locator("tbody tr", has_text="@eddy")
    row.wait_for()
    assert str(posted.pk) in row.inner_text()
    assert AuditEntry.objects.get(institution=library).acting_account.username == "eddy"

    # A staff member posts for the staff only; an outsider sees it nowhere.
    staff = new_page(browser, language)
    log_in(staff, base, "sam")
    staff.goto(f"{base}/institutions/{library.pk}/timeline")
    assert staff.input_value("#id_visibility") == "internal"
    staff.fill("#id_text", texts["internal"])
    submit(staff, "#compose")
    staff.goto(f"{base}/institutions/{library.pk}/timeline")
    staff.locator("article", has_text=texts["internal"]).wait_for()
    internal = Status.objects.get(text=texts["internal"])
    outsider = new_page(browser, language)
    log_in(outsider, base, "olga")
    for path in (
        "/home",
        "/public/local",
        "/@sam",
        f"/search?q={texts['internal'].split()[0]}",
        "/notifications",
    ):
        outsider.goto(base + path)
        assert texts["internal"] not in outsider.content(), path
    for path in (f"/@sam/{internal.pk}", f"/institutions/{library.pk}/timeline"):
        response = outsider.goto(base + path)
        assert response is not None and response.status == 404, path

    # The manager creates a site with two rooms and turns automatic posts on.
    manager.goto(f"{base}/institutions/{library.pk}/sites")
    manager.fill("#id_name", "Bibliothèque Chevreul")
    manager.fill("#id_city", "Lyon")
    manager.fill("#id_latitude", "45.7497")
    manager.fill("#id_longitude", "4.8398")
    submit(manager)
    manager.wait_for_url(f"{base}/sites/*/manage")
    site = Site.objects.get(name="Bibliothèque Chevreul")
    for name, capacity in (("Salle Rez-de-jardin", "2"), ("Mezzanine", "60")):
        manager.fill("#id_space-name", name)
        manager.fill("#id_space-capacity", capacity)
        manager.click("form[action$='/manage/space'] button")
        manager.locator("li", has_text=name).first.wait_for()
    assert site.spaces.count() == 2
    manager.check("#id_enabled")
    manager.fill(f"#id_full_{language}", texts["auto"])
    manager.select_option("#id_language", language)
    with manager.expect_navigation():
        manager.click("form[action$='/manage/auto_posts'] button")

    # The staff phone page declares the first room full.
    room = site.spaces.get(name="Salle Rez-de-jardin")
    staff.goto(f"{base}/occupancy")
    staff.click(f"#space-{room.pk} button[value=full]")
    staff.locator(f"#space-{room.pk} .level", has_text=texts["full"]).wait_for()

    # The public site page and the widget say so.
    visitor = new_page(browser, language)
    visitor.goto(f"{base}/sites/{site.pk}")
    visitor.locator("#live .space", has_text="Salle Rez-de-jardin").locator(
        ".level", has_text=texts["full"]
    ).wait_for()
    assert "openstreetmap.org" in visitor.inner_html("main")
    visitor.goto(f"{base}/embed/sites/{site.pk}?lang={language}")
    assert texts["full"] in visitor.inner_text("li:has-text('Salle Rez-de-jardin')")

    # The institution's follower gets the automatic post in their home timeline.
    follower = new_page(browser, language)
    log_in(follower, base, "follower")
    expected = texts["auto"].replace("{space}", "Salle Rez-de-jardin")
    follower.locator("article", has_text=expected).wait_for()

    # The outsider's console holds the two 404 answers asked for above, and nothing else.
    assert all("404" in error for error in outsider.errors), outsider.errors
    for page in (institution, moderator, manager, editor, staff, visitor, follower):
        assert not page.errors, page.errors


def test_institution_pages_pass_basic_accessibility_checks_and_work_without_javascript(
    browser: Any, live_server: Any
) -> None:
    from babillard.institutions import services as institution_services
    from babillard.occupancy import services as occupancy_services
    from tests.browser.test_accessibility import CHECKS

    base = live_server.url
    library = make_account("bu_lyon", kind=AccountKind.INSTITUTION, display_name="BU Lyon")
    institution_services.update_institution(library, library, type="network", isil="FR-692662101")
    member = make_account("member_lib", kind=AccountKind.INSTITUTION)
    institution_services.set_network(member, member, library)
    manager = make_account("marie")
    make_account("modo", moderator=True)
    institution_services.add_member(library, library, manager, "manager")
    site = institution_services.create_site(
        library,
        name="Chevreul",
        city="Lyon",
        latitude=45.75,
        longitude=4.84,
    )
    room = occupancy_services.create_space(library, site, "Salle", 2)
    occupancy_services.update_occupancy(room, library, count=1)
    institution_services.add_closure(library, site, date(2099, 8, 1), date(2099, 8, 15), "Travaux")

    page = new_page(browser, "fr")
    log_in(page, base, "marie")
    paths = [
        "/institutions",
        f"/institutions/{library.pk}",
        f"/institutions/{library.pk}/staff",
        f"/institutions/{library.pk}/audit",
        f"/institutions/{library.pk}/calendar",
        f"/institutions/{library.pk}/timeline",
        f"/institutions/{library.pk}/sites",
        f"/institutions/{library.pk}/network",
        f"/sites/{site.pk}/manage",
        f"/sites/{site.pk}/statistics",
        f"/sites/{site.pk}",
        "/sites",
        "/occupancy",
        "/compose",
    ]
    for path in paths:
        page.goto(base + path)
        assert page.evaluate(CHECKS) == [], path
    moderator = new_page(browser, "en")
    log_in(moderator, base, "modo")
    moderator.goto(f"{base}/moderation/institutions")
    assert moderator.evaluate(CHECKS) == []

    # Without JavaScript the phone page's buttons are plain forms.
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    no_script = context.new_page()
    log_in(no_script, base, "marie")
    no_script.goto(f"{base}/occupancy")
    no_script.click(f"#space-{room.pk} button[value=plus]")
    no_script.locator(f"#space-{room.pk} .level", has_text="Complet").wait_for()
    no_script.click(f"#space-{room.pk} button[value='30']")
    no_script.locator(f"#space-{room.pk} button[value='30'][aria-pressed=true]").wait_for()
    no_script.click(f"#space-{room.pk} button[value=minus]")
    no_script.locator(f"#space-{room.pk} .level", has_text="Modérée").wait_for()
    context.close()
    assert not page.errors and not moderator.errors, page.errors + moderator.errors
