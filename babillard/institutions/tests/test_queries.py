import pytest

from babillard.core.errors import NotFound
from babillard.core.testing import make_account
from babillard.institutions import queries, services
from babillard.institutions.models import Institution, Role


def test_an_unedited_institution_has_a_default_profile(library):
    institution, _people = library
    found = queries.get_institution(institution.pk)
    assert found.official_name == "Bibliothèque" and not found.verified
    assert found.pk == institution.pk and not Institution.objects.exists()
    with pytest.raises(NotFound):
        queries.get_institution("abc")


def test_suspended_institutions_are_not_found(library):
    institution, _people = library
    from django.utils import timezone

    institution.suspended_at = timezone.now()
    institution.save()
    with pytest.raises(NotFound):
        queries.get_institution(institution.pk)


def test_institutions_of_a_member_by_role(library):
    institution, people = library
    other = make_account("autrebib", kind="institution")
    services.add_member(other, other, people["eddy"], Role.MANAGER)
    assert queries.institutions_of(people["eddy"]) == [other, institution]
    assert queries.institutions_of(people["eddy"], Role.MANAGER) == [other]
    assert queries.institutions_of(people["otto"]) == []


def test_sites_by_city_and_by_institution(library):
    institution, _people = library
    other = make_account("autrebib", kind="institution")
    services.create_site(institution, name="Centre", city="Lyon")
    services.create_site(institution, name="Croix-Rousse", city="Lyon")
    services.create_site(other, name="Mériadeck", city="Bordeaux")
    grouped = queries.sites_by_city()
    assert list(grouped) == ["Bordeaux", "Lyon"]
    assert [s.name for s in grouped["Lyon"]] == ["Centre", "Croix-Rousse"]
    assert [s.name for s in queries.sites(other.pk)] == ["Mériadeck"]
    assert not queries.sites("x").exists()


def test_grants_stop_acting_when_the_editor_loses_the_role(library):
    institution, people = library
    grant = services.create_acting_grant(people["eddy"], institution)
    assert queries.active_grant(str(grant.pk)) == grant
    services.add_member(people["manon"], institution, people["eddy"], Role.STAFF)
    assert queries.active_grant(grant.pk) is None
    assert queries.active_grant("nope") is None


def test_catalogue_urls_from_the_template(library):
    institution, _people = library
    found = services.update_institution(
        institution,
        institution,
        catalogue_url_template="https://catalogue.example.org/search?isbn={isbn}&q={query}",
    )
    assert queries.catalogue_url(found, isbn="9782070368228", query="l'étranger") == (
        "https://catalogue.example.org/search?isbn=9782070368228&q=l%27%C3%A9tranger"
    )
    found = services.update_institution(
        institution, institution, catalogue_url_template="https://cat.example.org/?q={query}"
    )
    assert queries.catalogue_url(found, isbn="9782070368228") == (
        "https://cat.example.org/?q=9782070368228"
    )
    found = services.update_institution(
        institution, institution, catalogue_url_template="https://cat.example.org/isbn/{isbn}"
    )
    assert queries.catalogue_url(found, query="camus") is None
    assert queries.catalogue_url(found) is None
    found = services.update_institution(institution, institution, catalogue_url_template="")
    assert queries.catalogue_url(found, isbn="9782070368228") is None
