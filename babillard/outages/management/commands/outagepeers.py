"""``babillard outagepeers [add|remove DOMAIN]``: the instances this one exchanges
platform reports and probe results with. Both instances must list each other."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from babillard.outages import services
from babillard.outages.models import Peer


class Command(BaseCommand):
    help = "List, add or remove the peers that exchange platform reports and probes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "add", "remove"], default="list")
        parser.add_argument("domain", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            services.add_peer(options["domain"])
        elif options["action"] == "remove":
            services.remove_peer(options["domain"])
        for peer in Peer.objects.order_by("domain"):
            self.stdout.write(peer.domain)
