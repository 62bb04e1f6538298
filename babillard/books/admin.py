from django.contrib import admin

from babillard.books.models import Bibliography, Book, BookPost, BookwyrmServer, HomeLibrary


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ("isbn13", "title", "publisher", "year", "looked_up_at")
    search_fields = ("isbn13", "title")


@admin.register(BookPost)
class BookPostAdmin(admin.ModelAdmin):
    list_display = ("status", "kind", "rating")
    raw_id_fields = ("status",)


@admin.register(Bibliography)
class BibliographyAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "created_at")
    raw_id_fields = ("owner",)


admin.site.register(HomeLibrary)
admin.site.register(BookwyrmServer)
