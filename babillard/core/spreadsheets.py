"""What CSV exports share: cells that spreadsheet programs will not run."""


def csv_safe(text: str) -> str:
    """Keep spreadsheet programs from reading a name as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
