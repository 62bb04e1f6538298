from babillard.federation.apps import insecure_federation_check


def test_insecure_federation_is_flagged_outside_debug(settings):
    settings.INSECURE_FEDERATION = True
    settings.DEBUG = False
    assert [m.id for m in insecure_federation_check()] == ["federation.W001"]
    settings.INSECURE_FEDERATION = False
    assert insecure_federation_check() == []
