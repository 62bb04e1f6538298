"""Web pages of the quote observatory (staff of verified institutions only)."""

from django.urls import path

from babillard.web.views import quotes

urlpatterns = [
    path("quotes", quotes.my_quotes, name="quotes"),
    path("quotes/new", quotes.new_quote, name="quote_new"),
    path("quotes/compare", quotes.compare, name="quotes_compare"),
    path("quotes/audit", quotes.audit, name="quotes_audit"),
    path("quotes/aggregates.csv", quotes.export, name="quotes_export"),
    path("quotes/<int:quote_id>", quotes.quote_page, name="quote"),
    path("quotes/<int:quote_id>/sharing", quotes.quote_sharing, name="quote_sharing"),
    path("quotes/<int:quote_id>/delete", quotes.quote_delete, name="quote_delete"),
    path("quotes/<int:quote_id>/document", quotes.quote_document, name="quote_document"),
]
