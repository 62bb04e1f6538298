"""``babillard demo``: a few libraries, librarians and a realistic French conversation.

Everything is made through the services, as a person would through the pages.
Running it again changes nothing. The password of every demo account is
``$BABILLARD_DEMO_PASSWORD``, or ``babillard-demo-2026`` when it is not set.
"""

import os
from typing import Any

from django.core.management.base import BaseCommand

from babillard.accounts.models import Account, AccountKind
from babillard.accounts.services import create_local_user, follow, update_profile
from babillard.statuses.models import Status
from babillard.statuses.services import PollSpec, favourite, post_status, reblog, vote

DEFAULT_PASSWORD = "babillard-demo-2026"  # noqa: S105 (documented demo-only password)

# username, display name, kind, city, biography, moderator
PEOPLE = [
    (
        "bu_lyon2",
        "BU Lyon 2",
        AccountKind.INSTITUTION,
        "Lyon",
        "Les bibliothèques de l'université Lumière Lyon 2. #BU",
        False,
    ),
    (
        "mediatheque_rennes",
        "Médiathèque de Rennes",
        AccountKind.INSTITUTION,
        "Rennes",
        "Infos pratiques, animations et coups de cœur. #infoservice",
        False,
    ),
    (
        "bpi_paris",
        "BPI Paris",
        AccountKind.INSTITUTION,
        "Paris",
        "Bibliothèque publique d'information, Centre Pompidou.",
        False,
    ),
    (
        "camille",
        "Camille Roux",
        AccountKind.PERSON,
        "Lyon",
        "Responsable des ressources électroniques à la BU Lyon 2.",
        False,
    ),
    (
        "mathieu",
        "Mathieu Le Gall",
        AccountKind.PERSON,
        "Rennes",
        "Bibliothécaire jeunesse, fan de BD.",
        False,
    ),
    (
        "sophie",
        "Sophie Bernard",
        AccountKind.PERSON,
        "Paris",
        "Veille et formation des usagers. #veille",
        True,
    ),
    (
        "karim",
        "Karim Haddad",
        AccountKind.PERSON,
        "Toulouse",
        "Documentation électronique, SCD de Toulouse.",
        False,
    ),
    ("lea", "Léa Schmitt", AccountKind.PERSON, "Strasbourg", "Acquisitions et périodiques.", False),
    (
        "julien",
        "Julien Lefebvre",
        AccountKind.PERSON,
        "Lille",
        "Services numériques aux publics.",
        False,
    ),
]


class Command(BaseCommand):
    help = (
        "Create demo libraries, librarians and a conversation (idempotent). Password: "
        f"$BABILLARD_DEMO_PASSWORD or '{DEFAULT_PASSWORD}'."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("BABILLARD_DEMO_PASSWORD") or DEFAULT_PASSWORD
        accounts = {}
        for username, name, kind, city, note, moderator in PEOPLE:
            account = Account.objects.filter(username=username, domain="").first()
            if account is None:
                user = create_local_user(
                    username,
                    f"{username}@demo.babillard.invalid",
                    password,
                    kind=kind,
                    display_name=name,
                    moderator=moderator,
                    locale="fr",
                )
                account = update_profile(user.account, city=city, note=note)
            accounts[username] = account
        for account in accounts.values():
            for other in accounts.values():
                if other != account:
                    follow(account, other)
        if not Status.objects.filter(account=accounts["camille"]).exists():
            self._conversation(accounts)
        self.stdout.write("Demo accounts (password: the same for all):")
        for username, name, _kind, city, _note, moderator in PEOPLE:
            role = ", moderator" if moderator else ""
            self.stdout.write(f"  {username:<20} {name} ({city}{role})")
        if not os.environ.get("BABILLARD_DEMO_PASSWORD"):
            self.stdout.write(f"Password: {DEFAULT_PASSWORD}")

    def _conversation(self, a: dict[str, Account]) -> None:
        question = post_status(
            a["camille"],
            "C'est moi ou Cairn est en panne ? Plus aucun article ne s'ouvre depuis la BU "
            "depuis ce matin. #Cairn #panne",
        )
        assert isinstance(question, Status)
        replies = [
            ("mathieu", "Pareil à Rennes : erreur 503 sur tous les articles depuis 9 h."),
            ("sophie", "Confirmé à Paris, même chose depuis les postes publics de la BPI."),
            ("karim", "Toulouse aussi. J'ai ouvert un ticket chez l'éditeur."),
            (
                "lea",
                "Strasbourg idem. Le technicien m'a demandé si nous avions « un réseau ou "
                "quoi » : je lui ai envoyé ce fil, six villes, ça devrait suffire.",
            ),
            ("julien", "Lille : ça remarche chez nous depuis 10 h 40, ça revient par vagues."),
        ]
        for username, text in replies:
            post_status(a[username], f"@camille {text}", in_reply_to=question)
        for username in ("mathieu", "sophie", "karim"):
            favourite(a[username], question)
        reblog(a["bu_lyon2"], question)

        watch = post_status(
            a["sophie"],
            "Ma #veille de la semaine : un dossier sur l'accès ouvert et les accords "
            "transformants https://www.ouvrirlascience.fr/ : à lire avant la réunion "
            "du réseau.",
        )
        assert isinstance(watch, Status)
        post_status(
            a["karim"],
            "@sophie Merci ! Je l'ajoute à notre liste de #veille sur les ressources "
            "électroniques.",
            in_reply_to=watch,
        )
        reblog(a["bpi_paris"], watch)

        poll = post_status(
            a["bu_lyon2"],
            "Petit sondage entre collègues : quel SIGB utilisez-vous ? #SIGB",
            poll=PollSpec(options=["Koha", "PMB", "Alma", "Autre"], expires_in=7 * 24 * 3600),
        )
        assert isinstance(poll, Status)
        for username, choice in (("mathieu", 0), ("karim", 2), ("lea", 2), ("julien", 1)):
            vote(a[username], poll.poll, [choice])

        post_status(
            a["mediatheque_rennes"],
            "La salle de lecture est pleine ce matin : comptez 30 minutes d'attente. "
            "Les postes du 2e étage sont libres. #infoservice",
        )
        post_status(
            a["bpi_paris"],
            "Ce soir à 19 h, rencontre avec les lauréats du prix BD de la #bibliothèque. "
            "Entrée libre !",
        )
        post_status(
            a["mathieu"],
            "Coup de cœur jeunesse de la semaine : « Le Grand Méchant Renard ». Qui l'a "
            "déjà en rayon ? #BD #jeunesse",
            visibility="unlisted",
        )
