"""Background work of books: completing a book from the bibliographic catalogues.

``look_up_book`` is idempotent: a book looked up once is not looked up again.
"""

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from babillard.books import lookup
from babillard.books.models import Book
from babillard.books.services import fill_book


@task()
def look_up_book(book_id: int) -> None:
    book = Book.objects.filter(pk=book_id, looked_up_at__isnull=True).exclude(isbn13="").first()
    if book is None or not settings.BOOKS_LOOKUP:
        return
    fill_book(book, lookup.look_up(book.isbn13))
    Book.objects.filter(pk=book.pk).update(looked_up_at=timezone.now())
