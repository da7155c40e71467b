"""Dates and money as the buyers of a marketplace write them: 12/03/2026 on amazon.com,
03.12.2026 on amazon.de, 2026/12/03 on amazon.co.jp; $1,234.50, 1.234,50 €, ￥1,235.

The conventions are CLDR's (through Babel), in the language each marketplace's site opens in
(`MARKETPLACE_LOCALES`). A date is always numeric with a four-digit year and two-digit day and
month, so that a packer reads it at a glance and a slip's layout does not depend on the month's
name. An id this table does not know (a marketplace Amazon opens after this was written) gets
ISO 8601 and the currency code, which nobody misreads.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, match_skeleton
from babel.numbers import format_currency

from production.core.regions import marketplace

__all__ = ["MARKETPLACE_LOCALES", "format_money", "format_ship_date", "marketplace_locale"]

MARKETPLACE_LOCALES: dict[str, str] = {
    "CA": "en_CA", "US": "en_US", "MX": "es_MX", "BR": "pt_BR",
    "IE": "en_IE", "ES": "es_ES", "GB": "en_GB", "FR": "fr_FR", "BE": "fr_BE", "NL": "nl_NL",
    "DE": "de_DE", "IT": "it_IT", "SE": "sv_SE", "ZA": "en_ZA", "PL": "pl_PL", "EG": "ar_EG",
    "TR": "tr_TR", "SA": "ar_SA", "AE": "en_AE", "IN": "en_IN",
    "SG": "en_SG", "AU": "en_AU", "JP": "ja_JP",
}  # fmt: skip
"""The locale of each marketplace's site, by the marketplace's country (`core.regions`)."""


def marketplace_locale(marketplace_id: str | None) -> str | None:
    """The CLDR locale of a marketplace; None for an id Amazon does not publish (or none)."""
    found = marketplace(marketplace_id) if marketplace_id else None
    return MARKETPLACE_LOCALES.get(found.country_code) if found is not None else None


def format_ship_date(day: date, marketplace_id: str | None) -> str:
    """`day` as the marketplace writes a date: numeric, four-digit year, two-digit day/month."""
    locale = marketplace_locale(marketplace_id)
    if locale is None:
        return day.isoformat()
    return format_date(day, _numeric_pattern(locale), locale=locale)


def format_money(amount: Decimal, currency: str, marketplace_id: str | None) -> str:
    """`amount` of `currency` (ISO 4217) as the marketplace writes money; the currency's own
    number of decimals (none for yen)."""
    locale = marketplace_locale(marketplace_id)
    if locale is None:
        return f"{amount:.2f} {currency}"
    return str(format_currency(amount, currency, locale=locale))


@lru_cache(maxsize=64)
def _numeric_pattern(locale_name: str) -> str:
    # CLDR's "yMd" skeleton gives the order and separators ("M/d/y", "d.M.y", "y/M/d"); the
    # widths are made fixed here (CLDR's US short date is 12/3/26).
    locale = Locale.parse(locale_name)
    skeletons = locale.datetime_skeletons
    pattern = str(skeletons[match_skeleton("yMd", skeletons) or "yMd"].pattern)
    pattern = re.sub(r"y+", "y", pattern)
    pattern = re.sub(r"M+", "MM", pattern)
    return re.sub(r"d+", "dd", pattern)
