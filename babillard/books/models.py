"""Books: one ``Book`` per edition, the books a post is about (``BookPost``), the
reader's home library, and bibliographies (annotated, ordered lists of books).

A book known by its ISBN is stored once, under its ISBN-13; a book given only by its
title and authors has no ISBN and is its own row.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from babillard.accounts.models import Account
from babillard.institutions.models import Institution
from babillard.statuses.models import Status


class Book(models.Model):
    """One edition of a book."""

    isbn13 = models.CharField(max_length=13, blank=True)
    title = models.CharField(max_length=500, blank=True)
    subtitle = models.CharField(max_length=500, blank=True)
    authors = models.JSONField(default=list, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    cover_url = models.URLField(max_length=2000, blank=True)
    # The BookWyrm edition this book was learnt from, if any.
    edition_uri = models.URLField(max_length=2000, blank=True)
    looked_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["isbn13"], condition=~Q(isbn13=""), name="book_unique_isbn13"
            )
        ]

    def __str__(self) -> str:
        return self.title or self.isbn13

    @property
    def key(self) -> str:
        """The book's part of its page address: its ISBN-13, or ``id-<pk>`` without one."""
        return self.isbn13 or f"id-{self.pk}"

    @property
    def display_title(self) -> str:
        return self.title or (_("ISBN %(isbn)s") % {"isbn": self.isbn13})

    @property
    def authors_text(self) -> str:
        return ", ".join(self.authors)


class BookKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    REVIEW = "review", _("Review")
    QUOTATION = "quotation", _("Quotation")
    READING = "reading", _("Reading now")


class BookPost(models.Model):
    """What makes a post a book post: its kind, the books, and the review's or quote's details."""

    status = models.OneToOneField(
        Status, primary_key=True, on_delete=models.CASCADE, related_name="book_post"
    )
    kind = models.CharField(
        max_length=16, choices=BookKind.choices, default=BookKind.RECOMMENDATION
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    review_title = models.CharField(max_length=255, blank=True)
    # The quoted passage of a remote quotation (a local one quotes the post's own text).
    quote = models.TextField(blank=True)
    quote_page = models.PositiveIntegerField(null=True, blank=True)
    books = models.ManyToManyField(Book, through="BookPostItem", related_name="posts")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="book_post_rating_range",
            )
        ]


class BookPostItem(models.Model):
    post = models.ForeignKey(BookPost, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="post_items")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "book"], name="book_post_item_unique")
        ]


class HomeLibrary(models.Model):
    """The institution whose catalogue a reader's "find it in my library" links search."""

    account = models.OneToOneField(
        Account, primary_key=True, on_delete=models.CASCADE, related_name="home_library"
    )
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")


class BookwyrmServer(models.Model):
    """A server seen to run BookWyrm: its actors receive book posts in BookWyrm's own types."""

    domain = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)


class Bibliography(models.Model):
    """An annotated, ordered list of books by an account or an institution."""

    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="bibliographies")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class BibliographyItem(models.Model):
    bibliography = models.ForeignKey(Bibliography, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    comment = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "pk"]
