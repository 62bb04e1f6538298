"""Fill the database with a realistic network of libraries, fast, for the benchmarks.

The rows are the ones the services would have written, inserted in bulk
(``COPY`` on PostgreSQL, batched ``executemany`` on SQLite) instead of one
service call per post, so that a million posts load in minutes:

- users and accounts as ``create_local_user`` makes them, except that every
  account shares one RSA key pair and one password hash (generating 10,000
  key pairs and Argon2 hashes would take longer than the rest of the load);
- follows on a power law: a few institutions followed by half the network or
  more, most people followed by tens to hundreds, with the follow counters;
- French and English posts with hashtags, mentions, replies (``in_reply_to``,
  ``thread_root_id``), boosts and favourites, spread over months, with ids
  from ``new_id(at=...)`` so that ids sort by time as live ones do, and the
  counters of each post and account;
- home feeds as fan-out would have filled them (the same recipients as
  ``timelines.services._recipients``, capped at ``HOME_FEED_MAX`` per reader);
- the search index (``StatusDocument``; the database triggers fill FTS5 or
  the PostgreSQL vector).

Two accounts have fixed names for the benchmarks: ``biblio_nationale``, an
institution every other account follows, and ``lecteur``, a person following
a typical mix of people and institutions. Every account's password is the one
given with ``--password``.
"""

import heapq
import itertools
import json
import math
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from babillard.accounts.models import Account, AccountKind, Follow, User, Visibility
from babillard.accounts.services import _rsa_key_pair
from babillard.core import links
from babillard.core.ids import new_id
from babillard.search.models import StatusDocument
from babillard.statuses import formatting
from babillard.statuses.models import Favourite, Mention, Status, Tag
from babillard.timelines.models import HomeFeedEntry

NATIONAL = "biblio_nationale"
READER = "lecteur"
DEFAULT_PASSWORD = "benchmark-password-2026"  # noqa: S105 (benchmark data only)

FIRST_NAMES = [
    "Claire",
    "Julien",
    "Sophie",
    "Nicolas",
    "Camille",
    "Thomas",
    "Léa",
    "Antoine",
    "Manon",
    "Hugo",
    "Chloé",
    "Lucas",
    "Emma",
    "Louis",
    "Inès",
    "Paul",
    "Sarah",
    "Mathieu",
    "Julie",
    "Pierre",
    "Anne",
    "Marc",
    "Élise",
    "Vincent",
    "Laura",
    "Olivier",
    "Marie",
    "David",
    "Alice",
    "Jean",
    "Hélène",
    "François",
    "Lucie",
    "Benoît",
    "Aurélie",
    "Romain",
    "Agnès",
    "Yann",
    "Nadia",
    "Karim",
    "Fatou",
    "Mehdi",
    "Emily",
    "James",
    "Olivia",
    "Daniel",
    "Grace",
    "Samuel",
    "Hannah",
    "Oliver",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Walker",
]
CITIES = [
    "lyon",
    "marseille",
    "toulouse",
    "nice",
    "nantes",
    "strasbourg",
    "montpellier",
    "bordeaux",
    "lille",
    "rennes",
    "reims",
    "grenoble",
    "dijon",
    "angers",
    "nimes",
    "brest",
    "tours",
    "limoges",
    "amiens",
    "metz",
    "besancon",
    "perpignan",
    "orleans",
    "caen",
    "rouen",
    "nancy",
    "poitiers",
    "pau",
    "avignon",
    "lorient",
    "quimper",
    "bayonne",
    "chambery",
    "annecy",
    "valence",
    "bruxelles",
    "liege",
    "geneve",
    "lausanne",
    "montreal",
    "quebec",
]
INSTITUTION_KINDS = (
    ("bm", "Bibliothèque municipale de {city}"),
    ("bu", "Bibliothèque universitaire de {city}"),
    ("mediatheque", "Médiathèque de {city}"),
    ("bdp", "Médiathèque départementale de {city}"),
    ("archives", "Archives de {city}"),
)
TAGS_FR = [
    "bibliothèques",
    "veille",
    "médiation",
    "lecture",
    "BU",
    "ScienceOuverte",
    "catalogage",
    "RDA",
    "numérique",
    "patrimoine",
    "fonds_anciens",
    "jeunesse",
    "BD",
    "archives",
    "HAL",
    "Koha",
    "SIGB",
    "accessibilité",
    "FALC",
    "NuitDeLaLecture",
    "formation",
    "CAIRN",
    "panne",
    "ressources_électroniques",
    "Gallica",
    "IIIF",
    "bibliothécaires",
    "Sudoc",
    "exposition",
    "heureDuConte",
    "prixLittéraire",
    "salleDeLecture",
]
TAGS_EN = [
    "libraries",
    "openscience",
    "cataloguing",
    "metadata",
    "digitalpreservation",
    "bookclub",
    "research",
    "OA",
    "readinglist",
    "librarians",
    "publicdomain",
    "opendata",
]
SENTENCES_FR = (
    "La salle de lecture est complète ce matin, pensez à réserver votre place.",
    "Nouvelle sélection de romans graphiques disponible à l'accueil.",
    "Quelqu'un a-t-il un accès à CAIRN qui fonctionne ? Chez nous tout est bloqué.",
    "Retour sur la journée d'étude consacrée à la médiation numérique.",
    "Nous recrutons un ou une bibliothécaire pour le pôle jeunesse.",
    "Atelier d'initiation à Zotero jeudi à 14 h, inscription conseillée.",
    "Le catalogue sera indisponible dimanche pour une mise à jour du SIGB.",
    "Merci aux collègues pour leurs retours sur la migration vers Koha.",
    "Exposition de manuscrits enluminés jusqu'à la fin du mois.",
    "Les devis des bouquets de revues ont encore augmenté de huit pour cent.",
    "Heure du conte samedi matin pour les 3 à 6 ans.",
    "Notre fonds ancien est désormais consultable dans Gallica.",
    "Quelles sont vos pratiques de désherbage pour les documentaires ?",
    "La file d'attente est d'environ deux heures à l'entrée principale.",
    "Compte rendu du congrès : beaucoup de questions sur la science ouverte.",
    "Le club de lecture se réunit mardi soir autour du dernier Goncourt.",
    "Formation RDA : les supports sont en ligne pour toutes les équipes.",
    "Horaires d'été : ouverture de 10 h à 18 h du mardi au samedi.",
    "Bravo à l'équipe pour la Nuit de la lecture, record de fréquentation.",
    "Je cherche des retours d'expérience sur le prêt de liseuses.",
    "Veille du jour : un rapport sur l'accessibilité des bibliothèques numériques.",
    "La navette entre les sites reprend lundi, merci de votre patience.",
    "Coup de cœur de l'équipe : un premier roman lumineux.",
    "Dépôt de thèses dans HAL : la permanence a lieu chaque jeudi.",
)
SENTENCES_EN = (
    "Our reading room is full this morning, please book a seat online.",
    "New graphic novels on the display shelves this week.",
    "Is anyone else seeing the e-journal platform down right now?",
    "Slides from the metadata workshop are now online.",
    "We are hiring a digital preservation librarian.",
    "The catalogue will be offline on Sunday for an upgrade.",
    "Great discussion today about open access agreements.",
    "Book club meets on Tuesday evening, everyone welcome.",
    "Our special collections are now searchable in the new portal.",
    "Looking for advice on lending e-readers to students.",
    "Summer opening hours start next week.",
    "Thread: what we learned from migrating our library system.",
)
LINKS = (
    "https://www.enssib.fr/bibliotheque-numerique",
    "https://gallica.bnf.fr/accueil/fr/content/accueil-fr",
    "https://hal.science/",
    "https://www.abf.asso.fr/",
    "https://www.ifla.org/news/",
)
SPOILERS = ("Fin du roman dévoilée", "Politique", "Spoiler", "Long fil")
BODY_POOL = 3000
# Share of the statuses that are boosts and replies; the rest are posts.
BOOST_SHARE = 0.10
REPLY_SHARE = 0.25
RECENT_WINDOW = 5000


def _ascii(name: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(c for c in folded.lower() if c.isalnum() or c == "_")


class Network:
    """The generated network, as plain lists indexed by account and status number."""

    def __init__(self, accounts: int, posts: int, days: int, favourites: float, seed: int):
        self.rng = random.Random(seed)
        self.n_accounts = accounts
        self.n_posts = posts
        self.days = days
        self.favourite_ratio = favourites
        self.end = timezone.now() - timedelta(minutes=1)
        self.start = self.end - timedelta(days=days)


def _weighted_sample(
    rng: random.Random, population: int, cum_weights: list[float], k: int, exclude: int
) -> set[int]:
    """About ``k`` distinct indexes drawn by weight, never ``exclude``."""
    chosen: set[int] = set()
    for _attempt in range(4):
        need = k - len(chosen)
        if need <= 0:
            break
        draw = rng.choices(range(population), cum_weights=cum_weights, k=need + need // 3 + 2)
        for index in draw:
            if index != exclude and len(chosen) < k:
                chosen.add(index)
    return chosen


class Command(BaseCommand):
    help = "Fill the database with a realistic network (accounts, follows, posts, feeds) in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--accounts", type=int, default=1000)
        parser.add_argument("--posts", type=int, default=20000, help="statuses, boosts included")
        parser.add_argument("--days", type=int, default=180, help="the posts span this many days")
        parser.add_argument(
            "--favourites", type=float, default=0.6, help="favourites per status, on average"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument("--json", action="store_true", help="print a JSON summary at the end")

    # -- entry point ---------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        accounts, posts = options["accounts"], options["posts"]
        if accounts < 3 or posts < 1:
            raise CommandError("Use at least 3 accounts and 1 post.")
        if Account.objects.filter(username__in=[NATIONAL, READER], domain="").exists():
            raise CommandError("This database already holds benchmark data; use an empty one.")
        self.timings: dict[str, float] = {}
        self.verbose = options["verbosity"] > 0 and not options["json"]
        began = time.perf_counter()
        self.net = Network(accounts, posts, options["days"], options["favourites"], options["seed"])
        self._phase("plan accounts and follows", self._plan_accounts)
        self._phase("plan statuses", self._plan_statuses)
        self._phase("plan favourites", self._plan_favourites)
        self._phase("plan home feeds", self._plan_feeds)
        with transaction.atomic():
            self._tune_connection()
            self._phase("write accounts", lambda: self._write_accounts(options["password"]))
            self._phase("write follows", self._write_follows)
            self._phase("write tags", self._write_tags)
            self._phase("write statuses", self._write_statuses)
            self._phase("write mentions and hashtags", self._write_mentions_and_tags)
            self._phase("write favourites", self._write_favourites)
            self._phase("write home feeds", self._write_feeds)
            self._phase("write search index", self._write_search)
        self._phase("analyze", self._analyze)
        total = time.perf_counter() - began
        summary = {
            "accounts": accounts,
            "statuses": posts,
            "follows": self.follow_count,
            "favourites": len(self.favs),
            "home_feed_entries": self.feed_rows,
            "national_account": NATIONAL,
            "national_followers": self.followers_count[0],
            "reader": READER,
            "reader_following": len(self.following[1]),
            "password": options["password"],
            "database": connection.vendor,
            "seconds": round(total, 2),
            "phases": {k: round(v, 2) for k, v in self.timings.items()},
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(
                f"Loaded {accounts} accounts, {posts} statuses, {self.follow_count} follows, "
                f"{len(self.favs)} favourites, {self.feed_rows} home-feed entries "
                f"on {connection.vendor} in {total:.1f} s."
            )

    def _phase(self, name: str, step: Any) -> None:
        began = time.perf_counter()
        step()
        self.timings[name] = time.perf_counter() - began
        if self.verbose:
            self.stdout.write(f"  {name}: {self.timings[name]:.1f} s")

    # -- planning: everything is decided in memory before the first insert ----

    def _plan_accounts(self) -> None:
        net, rng = self.net, self.net.rng
        n = net.n_accounts
        institutions = max(2, round(n * 0.03))
        # The big institutions, followed by half the network or more (index 0: everyone).
        big = max(1, round(n * 0.0015))
        self.kind = [AccountKind.PERSON] * n
        self.username: list[str] = []
        self.display: list[str] = []
        taken: set[str] = set()

        def unique(base: str) -> str:
            name, number = base[:26], 2
            while name in taken:
                name, number = f"{base[:24]}{number}", number + 1
            taken.add(name)
            return name

        for index in range(n):
            if index == 0:
                name, display = NATIONAL, "Bibliothèque nationale"
            elif index == 1:
                name, display = READER, "Lecteur Assidu"
            elif index <= institutions:
                prefix, title = INSTITUTION_KINDS[index % len(INSTITUTION_KINDS)]
                city = CITIES[(index // len(INSTITUTION_KINDS)) % len(CITIES)]
                name, display = f"{prefix}_{city}", title.format(city=city.capitalize())
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name, display = f"{_ascii(first)}_{_ascii(last)}", f"{first} {last}"
            self.username.append(unique(name))
            self.display.append(display)
            if index == 0 or 2 <= index <= institutions:
                self.kind[index] = AccountKind.INSTITUTION

        # Popularity: a Zipf-like weight by rank, institutions ahead of people.
        popularity = [
            (8.0 if self.kind[i] == AccountKind.INSTITUTION else 1.0)
            / (rng.random() * n / 50 + 1 + i * 0.02) ** 1.1
            for i in range(n)
        ]
        cum = list(itertools.accumulate(popularity))
        self.following: list[set[int]] = []
        big_followed = {i: rng.uniform(0.5, 0.85) for i in range(2, 2 + big) if i < n}
        for index in range(n):
            wanted = int(rng.lognormvariate(math.log(60), 0.8))
            if index == 1:
                wanted = 150
            wanted = max(3, min(wanted, 1500, n - 1))
            chosen = _weighted_sample(rng, n, cum, wanted, index)
            if index != 0:
                chosen.add(0)
            chosen.update(i for i, p in big_followed.items() if i != index and rng.random() < p)
            chosen.discard(index)
            self.following.append(chosen)
        self.followers_count = [0] * n
        for targets in self.following:
            for target in targets:
                self.followers_count[target] += 1
        self.follow_count = sum(len(t) for t in self.following)
        # How much each account posts: heavy-tailed, institutions more.
        self.activity = [
            rng.lognormvariate(0, 1.2) * (3.0 if self.kind[i] == AccountKind.INSTITUTION else 1.0)
            for i in range(n)
        ]
        self.cum_popularity = cum

    def _plan_statuses(self) -> None:
        net, rng = self.net, self.net.rng
        m = net.n_posts
        span = (net.end - net.start).total_seconds()
        offsets = sorted(rng.random() * span for _ in range(m))
        self.created = [net.start + timedelta(seconds=s) for s in offsets]
        self.ids = [new_id(at=at) for at in self.created]
        authors = rng.choices(range(net.n_accounts), weights=self.activity, k=m)
        self.author = authors
        # Per status: visibility, boosted status, replied status, root, mentions, body, language.
        self.visibility = [Visibility.PUBLIC] * m
        self.reblog_of = [-1] * m
        self.reply_to = [-1] * m
        self.root = [0] * m
        self.mentions: list[tuple[int, ...]] = [()] * m
        self.body = [0] * m
        self.spoiler = [""] * m
        self.boosted: set[tuple[int, int]] = set()
        recent: list[int] = []  # recent public or unlisted posts (not boosts)
        recent_plain: list[int] = []  # the same without replies, which boosts pick from
        self.bodies = self._bodies()
        french = [i for i, b in enumerate(self.bodies) if b[2] == "fr"]
        english = [i for i, b in enumerate(self.bodies) if b[2] == "en"]
        cum = self.cum_popularity
        for i in range(m):
            author = authors[i]
            roll = rng.random()
            if roll < BOOST_SHARE and recent_plain:
                original = recent_plain[int(len(recent_plain) * rng.random() ** 0.5)]
                if (
                    self.author[original] != author
                    and (author, original) not in self.boosted
                    and self.visibility[original] in (Visibility.PUBLIC, Visibility.UNLISTED)
                ):
                    self.boosted.add((author, original))
                    self.reblog_of[i] = original
                    self.visibility[i] = self.visibility[original]
                    continue
            self.body[i] = rng.choice(french if rng.random() < 0.7 else english)
            if roll < BOOST_SHARE + REPLY_SHARE and recent:
                parent = recent[int(len(recent) * rng.random() ** 0.3)]
                self.reply_to[i] = parent
                self.root[i] = self.root[parent] if self.reply_to[parent] >= 0 else parent
                if self.author[parent] != author:
                    self.mentions[i] = (self.author[parent],)
                self.visibility[i] = (
                    Visibility.UNLISTED if rng.random() < 0.1 else Visibility.PUBLIC
                )
            else:
                draw = rng.random()
                if draw < 0.02:
                    self.visibility[i] = Visibility.DIRECT
                elif draw < 0.07:
                    self.visibility[i] = Visibility.PRIVATE
                elif draw < 0.15:
                    self.visibility[i] = Visibility.UNLISTED
                if self.visibility[i] == Visibility.DIRECT or rng.random() < 0.08:
                    target = rng.choices(range(net.n_accounts), cum_weights=cum, k=1)[0]
                    if target != author:
                        self.mentions[i] = (target,)
                if self.visibility[i] == Visibility.DIRECT and not self.mentions[i]:
                    self.visibility[i] = Visibility.PRIVATE
            if rng.random() < 0.03:
                self.spoiler[i] = rng.choice(SPOILERS)
            if self.visibility[i] in (Visibility.PUBLIC, Visibility.UNLISTED):
                recent.append(i)
                if len(recent) > RECENT_WINDOW:
                    del recent[: RECENT_WINDOW // 2]
                if self.reply_to[i] < 0:
                    recent_plain.append(i)
                    if len(recent_plain) > RECENT_WINDOW:
                        del recent_plain[: RECENT_WINDOW // 2]

    def _bodies(self) -> list[tuple[str, str, str, list[str]]]:
        """Texts with their rendered HTML, language and hashtags, shared by many posts."""
        rng = self.net.rng
        bodies = []
        fr_tags = rng.choices(TAGS_FR, weights=[1 / (r + 1) for r in range(len(TAGS_FR))], k=4000)
        en_tags = rng.choices(TAGS_EN, weights=[1 / (r + 1) for r in range(len(TAGS_EN))], k=4000)
        for index in range(BODY_POOL):
            language = "fr" if index % 10 < 7 else "en"
            sentences = SENTENCES_FR if language == "fr" else SENTENCES_EN
            tags = fr_tags if language == "fr" else en_tags
            parts = rng.sample(sentences, rng.choice((1, 1, 2, 3)))
            if rng.random() < 0.2:
                parts.append(rng.choice(LINKS))
            chosen = sorted(
                {tags[rng.randrange(len(tags))] for _ in range(rng.choice((0, 1, 1, 2, 3)))}
            )
            if chosen:
                parts.append(" ".join(f"#{t}" for t in chosen))
            text = " ".join(parts)
            rendered = formatting.render(text, lambda _user, _domain: None)
            bodies.append((text, rendered.html, language, rendered.tags))
        return bodies

    def _plan_favourites(self) -> None:
        net, rng = self.net, self.net.rng
        m = net.n_posts
        candidates = [
            i
            for i in range(m)
            if self.reblog_of[i] < 0
            and self.visibility[i] in (Visibility.PUBLIC, Visibility.UNLISTED)
        ]
        wanted = int(m * net.favourite_ratio)
        self.favs: set[tuple[int, int]] = set()
        if not candidates:
            return
        fans = rng.choices(range(net.n_accounts), weights=self.activity, k=wanted)
        for fan in fans:
            status = candidates[int(len(candidates) * rng.random() ** 0.7)]
            if self.author[status] != fan:
                self.favs.add((fan, status))

    def _plan_feeds(self) -> None:
        """Each local reader's feed: what fan-out would have given them, newest ``HOME_FEED_MAX``."""
        n, m = self.net.n_accounts, self.net.n_posts
        cap = settings.HOME_FEED_MAX
        own: list[list[int]] = [[] for _ in range(n)]
        broadcast: list[list[int]] = [[] for _ in range(n)]
        replies: list[list[tuple[int, int]]] = [[] for _ in range(n)]
        mentioned: list[list[int]] = [[] for _ in range(n)]
        for i in range(m):
            author = self.author[i]
            own[author].append(i)
            for target in self.mentions[i]:
                mentioned[target].append(i)
            if self.visibility[i] == Visibility.DIRECT:
                continue
            parent = self.reply_to[i]
            if parent >= 0 and self.author[parent] != author:
                replies[author].append((i, self.author[parent]))
            else:
                broadcast[author].append(i)
        # Only the newest ``cap`` of each list can reach a capped feed.
        broadcast = [b[-cap:] for b in broadcast]
        replies = [r[-cap:] for r in replies]
        self.feeds: list[list[int]] = []
        self.feed_rows = 0
        for owner in range(n):
            followed = self.following[owner]
            sources: list[Iterable[int]] = [own[owner][-cap:], mentioned[owner][-cap:]]
            for account in followed:
                sources.append(broadcast[account])
                sources.append(i for i, to in replies[account] if to in followed or to == owner)
            candidates = set(itertools.chain.from_iterable(sources))
            # A boost is skipped when the reader's feed already holds the original.
            newest = [
                i
                for i in heapq.nlargest(cap * 2, candidates)
                if self.reblog_of[i] < 0 or self.reblog_of[i] not in candidates
            ][:cap]
            newest.reverse()
            self.feeds.append(newest)
            self.feed_rows += len(newest)

    # -- writing ----------------------------------------------------------------

    def _tune_connection(self) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size = -262144")
            elif connection.vendor == "postgresql":
                cursor.execute("SET LOCAL synchronous_commit = off")
                # Check foreign keys row by row rather than at commit: parents are always
                # written first, and PostgreSQL refuses to build an index while deferred
                # checks are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    def _secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        """The indexes of ``table`` that can be dropped and rebuilt: (name, definition).

        Building an index once over sorted rows is far faster than keeping it up to
        date row by row. Primary keys, and on PostgreSQL the indexes that back a
        constraint, stay.
        """
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
            elif connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                    "JOIN pg_class c ON c.relname = i.indexname "
                    "WHERE i.tablename = %s AND i.schemaname = current_schema() "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)",
                    [table],
                )
            else:
                return []
            return [(name, sql) for name, sql in cursor.fetchall()]

    def _copy(
        self, model: type[Model] | Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        """Insert rows fast: ``COPY`` on PostgreSQL, batched ``executemany`` elsewhere,
        with the table's secondary indexes dropped during the load and rebuilt after."""
        table = model._meta.db_table
        indexes = self._secondary_indexes(table)
        constraints = self._constraints(table)
        quoted = connection.ops.quote_name(table)
        with connection.cursor() as cursor:
            for name, _sql in constraints:
                cursor.execute(
                    f"ALTER TABLE {quoted} DROP CONSTRAINT {connection.ops.quote_name(name)}"
                )
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        count = self._insert(model, columns, rows)
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
            # Adding a constraint back checks every row in one pass (a join for foreign
            # keys, an index build for unique ones), far faster than a check per row.
            for name, definition in constraints:
                cursor.execute(
                    f"ALTER TABLE {quoted} ADD CONSTRAINT "
                    f"{connection.ops.quote_name(name)} {definition}"
                )
        return count

    def _constraints(self, table: str) -> list[tuple[str, str]]:
        """PostgreSQL's foreign-key and unique constraints of ``table``: (name, definition).

        PostgreSQL's advice for bulk loads: drop them, load, add them back. SQLite cannot
        drop a constraint; its checks stay row by row.
        """
        if connection.vendor != "postgresql":
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
                [connection.ops.quote_name(table)],
            )
            return [(name, sql) for name, sql in cursor.fetchall()]

    def _insert(
        self, model: type[Model] | Any, columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
    ) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        count = 0
        raw = connection.connection
        if connection.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 (names from the models)
        cursor = raw.cursor()
        iterator = iter(rows)
        while batch := list(itertools.islice(iterator, 5000)):
            cursor.executemany(sql, batch)
            count += len(batch)
        cursor.close()
        return count

    def _when(self, moment: datetime) -> Any:
        """A datetime as this database's driver takes it."""
        if connection.vendor == "sqlite":
            # What ``adapt_datetimefield_value`` returns for an aware UTC datetime, faster.
            return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        return moment

    def _write_accounts(self, password: str) -> None:
        net = self.net
        n = net.n_accounts
        hashed = make_password(password)
        private_key, public_key = _rsa_key_pair()
        joined = [net.start - timedelta(days=30 + net.rng.random() * 700) for _ in range(n)]
        users = User.objects.bulk_create(
            [
                User(
                    username=self.username[i],
                    email=f"{self.username[i]}@bench.example",
                    password=hashed,
                    email_confirmed=True,
                    approved=True,
                    date_joined=joined[i],
                    locale="fr" if i % 5 else "en",
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        statuses_count = [0] * n
        last_status: list[datetime | None] = [None] * n
        for i in range(net.n_posts):
            if self.reblog_of[i] < 0:
                author = self.author[i]
                statuses_count[author] += 1
                last_status[author] = self.created[i]
        accounts = []
        for i, user in enumerate(users):
            name = self.username[i]
            accounts.append(
                Account(
                    user=user,
                    username=name,
                    kind=self.kind[i],
                    display_name=self.display[i],
                    uri=links.account_uri(name),
                    url=links.account_url(name),
                    inbox_url=links.absolute(f"/users/{name}/inbox"),
                    shared_inbox_url=links.absolute("/inbox"),
                    outbox_url=links.absolute(f"/users/{name}/outbox"),
                    followers_url=links.absolute(f"/users/{name}/followers"),
                    private_key=private_key,
                    public_key=public_key,
                    followers_count=self.followers_count[i],
                    following_count=len(self.following[i]),
                    statuses_count=statuses_count[i],
                    last_status_at=last_status[i],
                    created_at=joined[i],
                )
            )
        self.account_pk = [a.pk for a in Account.objects.bulk_create(accounts, batch_size=1000)]

    def _write_follows(self) -> None:
        pk, rng, start = self.account_pk, self.net.rng, self.net.start

        moments = [self._when(start - timedelta(days=rng.random() * 20)) for _ in range(997)]

        def rows() -> Iterator[tuple[Any, ...]]:
            for follower, targets in enumerate(self.following):
                for target in sorted(targets):
                    at = moments[(follower * 31 + target) % len(moments)]
                    yield (pk[follower], pk[target], "", True, False, at)

        self._copy(
            Follow,
            ("account_id", "target_id", "uri", "show_reblogs", "notify", "created_at"),
            rows(),
        )

    def _write_tags(self) -> None:
        names: dict[str, str] = {}
        for _text, _html, _language, tags in self.bodies:
            for tag in tags:
                names.setdefault(tag.casefold()[:100], tag[:100])
        existing = set(Tag.objects.filter(name__in=names).values_list("name", flat=True))
        Tag.objects.bulk_create(
            [Tag(name=k, display_name=v) for k, v in names.items() if k not in existing]
        )
        self.tag_pk = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))

    def _mention_html(self, account: int) -> str:
        if not hasattr(self, "_mention_cache"):
            self._mention_cache: dict[int, str] = {}
        if account not in self._mention_cache:
            name = self.username[account]
            target = formatting.MentionTarget(key=account, acct=name, url=links.account_url(name))
            html = formatting.render(f"@{name}", lambda _u, _d: target).html
            self._mention_cache[account] = html.removeprefix("<p>").removesuffix("</p>")
        return self._mention_cache[account]

    def _text_and_html(self, i: int) -> tuple[str, str]:
        text, html, _language, _tags = self.bodies[self.body[i]]
        if not self.mentions[i]:
            return text, html
        target = self.mentions[i][0]
        return (
            f"@{self.username[target]} {text}",
            f"<p>{self._mention_html(target)} {html.removeprefix('<p>')}",
        )

    def _write_statuses(self) -> None:
        pk, ids, m = self.account_pk, self.ids, self.net.n_posts
        replies = [0] * m
        reblogs = [0] * m
        favourites = [0] * m
        for i in range(m):
            if self.reply_to[i] >= 0:
                replies[self.reply_to[i]] += 1
            if self.reblog_of[i] >= 0:
                reblogs[self.reblog_of[i]] += 1
        for _fan, status in self.favs:
            favourites[status] += 1
        columns = [
            "id",
            "account_id",
            "uri",
            "url",
            "local",
            "text",
            "content",
            "spoiler_text",
            "sensitive",
            "visibility",
            "local_only",
            "language",
            "in_reply_to_id",
            "in_reply_to_account_id",
            "reblog_id",
            "thread_root_id",
            "replies_count",
            "reblogs_count",
            "favourites_count",
            "created_at",
        ]

        def rows() -> Iterator[tuple[Any, ...]]:
            for i in range(m):
                author, sid = self.author[i], ids[i]
                name = self.username[author]
                at = self._when(self.created[i])
                original = self.reblog_of[i]
                if original >= 0:
                    uri = links.absolute(f"/users/{name}/statuses/{sid}/activity")
                    yield (
                        sid, pk[author], uri, "", True, "", "", "", False,
                        self.visibility[i], False, "", None, None, ids[original],
                        None, 0, 0, 0, at,
                    )  # fmt: skip
                    continue
                text, html = self._text_and_html(i)
                parent = self.reply_to[i]
                yield (
                    sid, pk[author], links.status_uri(name, sid), links.status_url(name, sid),
                    True, text, html, self.spoiler[i], bool(self.spoiler[i]),
                    self.visibility[i], False, self.bodies[self.body[i]][2],
                    ids[parent] if parent >= 0 else None,
                    pk[self.author[parent]] if parent >= 0 else None,
                    None, ids[self.root[i]] if parent >= 0 else None,
                    replies[i], reblogs[i], favourites[i], at,
                )  # fmt: skip

        # Columns the loader leaves to their model defaults (quote and reply policies).
        defaults = {
            field.name: field.get_default()
            for field in Status._meta.concrete_fields
            if field.name in ("quote_policy", "reply_policy", "quotes_count")
        }
        self._copy(
            Status,
            [*columns, *defaults],
            ((*row, *defaults.values()) for row in rows()),
        )

    def _write_mentions_and_tags(self) -> None:
        pk, ids, m = self.account_pk, self.ids, self.net.n_posts
        self._copy(
            Mention,
            ("status_id", "account_id"),
            ((ids[i], pk[a]) for i in range(m) for a in self.mentions[i]),
        )
        tag_pk = self.tag_pk
        self._copy(
            Status.tags.through,
            ("status_id", "tag_id"),
            (
                (ids[i], tag_pk[t.casefold()[:100]])
                for i in range(m)
                if self.reblog_of[i] < 0
                for t in self.bodies[self.body[i]][3]
            ),
        )

    def _write_favourites(self) -> None:
        pk, ids, rng, end = self.account_pk, self.ids, self.net.rng, self.net.end
        made = []
        for fan, status in self.favs:
            # Within two days of the post, and never after the end of the period (clipping
            # to the end would put many ids in one millisecond, where they can collide).
            room = min(timedelta(hours=48), end - self.created[status])
            at = self.created[status] + room * rng.random()
            made.append((new_id(at=at), pk[fan], ids[status]))
        made.sort()
        self._copy(Favourite, ("id", "account_id", "status_id", "uri"), ((*f, "") for f in made))

    def _write_feeds(self) -> None:
        pk, ids = self.account_pk, self.ids

        def origin(i: int) -> int:
            original = self.reblog_of[i]
            return pk[self.author[original if original >= 0 else i]]

        self._copy(
            HomeFeedEntry,
            ("owner_id", "status_id", "origin_account_id"),
            ((pk[owner], ids[i], origin(i)) for owner, feed in enumerate(self.feeds) for i in feed),
        )

    def _write_search(self) -> None:
        ids = self.ids
        bodies: dict[tuple[int, int], str] = {}

        def body(i: int) -> str:
            key = (self.body[i], self.mentions[i][0] if self.mentions[i] else -1)
            if key not in bodies:
                bodies[key] = formatting.plain_text(self._text_and_html(i)[1])
            parts = [self.spoiler[i], bodies[key]]
            return "\n".join(p for p in parts if p)

        self._copy(
            StatusDocument,
            ("status_id", "body"),
            (
                (ids[i], body(i))
                for i in range(self.net.n_posts)
                if self.reblog_of[i] < 0 and self.visibility[i] != Visibility.DIRECT
            ),
        )

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
