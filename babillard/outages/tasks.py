"""Background work of outages: the probes (enqueued every ``OUTAGES_PROBE_SECONDS`` by
``babillard worker``'s upkeep), sharing reports and probe results with the peers, and
telling subscribers of an incident change. Each is idempotent: a probe run twice
adds one more check, a share sent twice has the same activity id, and a notification
is created once."""

from django_tasks import task

from babillard.outages import federation, services
from babillard.outages.models import IncidentUpdate, Platform, Probe, Report


@task()
def probe_platforms() -> None:
    """Enqueue one probe task per URL of every approved platform."""
    for platform in Platform.objects.filter(approved=True):
        for url in platform.urls_to_probe:
            probe_url.enqueue(platform.pk, url)


@task()
def probe_url(platform_id: int, url: str) -> None:
    platform = Platform.objects.filter(pk=platform_id, approved=True).first()
    if platform is not None and url in platform.urls_to_probe:
        services.probe(platform, url)


@task()
def share_report(report_id: int) -> None:
    report = Report.objects.select_related("platform__actor").filter(pk=report_id).first()
    if report is not None and not report.origin:
        federation.share_report(report)


@task()
def share_probe(probe_id: int) -> None:
    probe = Probe.objects.select_related("platform__actor").filter(pk=probe_id).first()
    if probe is not None and not probe.origin:
        federation.share_probe(probe)


@task()
def notify_subscribers(update_id: int) -> None:
    update = (
        IncidentUpdate.objects.select_related("incident__platform__actor", "post")
        .filter(pk=update_id)
        .first()
    )
    if update is not None:
        services.deliver_to_subscribers(update)
