"""Carriers read from tracking numbers: every format the desk and `ship` know, and mismatches."""

from __future__ import annotations

import pytest

from production.shipping.carriers import (
    AMAZON_LOGISTICS,
    CarrierError,
    amazon_carrier,
    canonical_carrier,
    choose_carrier,
    detect,
)

# (number, carrier, distinctive, check digit right)
FORMATS = [
    ("1Z999AA10123456784", "UPS", True, True),
    ("1Z879E930346834440", "UPS", True, True),
    ("1Z999AA10123456785", "UPS", True, False),  # a wrong check digit: still UPS's format
    ("9400111202555842332669", "USPS", True, True),  # IMpb, 22 digits
    ("9400111899223100000033", "USPS", True, False),  # the number (its digit is off)
    ("9205590164917312751089", "USPS", True, True),
    ("93001234567890123456", "USPS", True, False),  # 20 digits from 93
    ("420902109400111202555842332669", "USPS", True, True),  # 420 + ZIP in front
    ("42090210123494001112025558423326", "USPS", True, False),  # 420 + ZIP+4 in front
    ("9400 1112 0255 5842 3326 69", "USPS", True, True),  # typed in groups
    ("123456789012", "FedEx", False, True),  # 12 digits
    ("061292700108011", "FedEx", False, False),  # 15 digits
    ("00012345678901234567", "FedEx", False, False),  # 20 digits not from 92–95
    ("3318810025", "DHL", False, True),  # 10-digit DHL Express
    ("1234567890", "DHL", False, False),
    ("TBA123456789012", AMAZON_LOGISTICS, True, True),
    ("tba123456789012", AMAZON_LOGISTICS, True, True),
    ("C11031500001879", "OnTrac", True, True),
    ("RA123456785GB", "Royal Mail", True, True),  # UPU S10, by its country
    ("EE123456785US", "USPS", True, True),
]


@pytest.mark.parametrize(("number", "carrier", "distinctive", "checked"), FORMATS)
def test_each_format_names_its_carrier(
    number: str, carrier: str, distinctive: bool, checked: bool
) -> None:
    found = detect(number)
    assert found is not None, number
    assert (found.carrier, found.distinctive, found.checked) == (carrier, distinctive, checked)
    assert choose_carrier("", number) == carrier  # nothing chosen: the number says it


@pytest.mark.parametrize("number", ["1Z1", "1ZCRASH", "ABC", "12345", "TBA12345", "RA123456785FR"])
def test_an_unknown_format_names_no_carrier(number: str) -> None:
    assert detect(number) is None
    with pytest.raises(CarrierError, match="cannot be told from its format: say which carrier"):
        choose_carrier("", number)
    assert choose_carrier("UPS", number) == "UPS"  # chosen: taken as it is


@pytest.mark.parametrize(
    ("chosen", "number", "found"),
    [
        ("UPS", "9400111899223100000033", "USPS"),  # the desk's old mistake (issue 14)
        ("USPS", "1Z999AA10123456784", "UPS"),
        ("FedEx", "TBA123456789012", AMAZON_LOGISTICS),
        ("DHL", "1Z999AA10123456784", "UPS"),
        ("Amazon Logistics", "9400111202555842332669", "USPS"),
        ("Royal Mail", "1Z879E930346834440", "UPS"),
    ],
)
def test_a_choice_the_number_contradicts_is_refused_naming_both(
    chosen: str, number: str, found: str
) -> None:
    with pytest.raises(CarrierError) as refused:
        choose_carrier(chosen, number)
    message = refused.value.message
    assert f"is a {found} number, not {chosen}" in message and f"choose {found}" in message


def test_a_matching_or_case_different_choice_is_kept_in_the_desks_spelling() -> None:
    assert choose_carrier("usps", "9400111899223100000033") == "USPS"
    assert choose_carrier(" fedex ", "123456789012") == "FedEx"
    assert choose_carrier("amazon", "TBA123456789012") == AMAZON_LOGISTICS


def test_bare_digits_do_not_overrule_a_chosen_carrier() -> None:
    # Twelve or ten digits are FedEx's or DHL's shapes, but other carriers use them too.
    assert choose_carrier("Canada Post", "123456789012") == "Canada Post"
    assert choose_carrier("UPS", "1234567890") == "UPS"


def test_usps_92_numbers_are_also_the_consolidators() -> None:
    smartpost = "9261290100130736410726"  # FedEx SmartPost and UPS Mail Innovations print these
    assert choose_carrier("", smartpost) == "USPS"
    assert choose_carrier("FedEx", smartpost) == "FedEx"
    assert choose_carrier("UPS", smartpost) == "UPS"
    with pytest.raises(CarrierError):
        choose_carrier("UPS", "9400111202555842332669")  # 94: USPS's own label


def test_amazon_is_told_its_own_codes_and_other_carriers_by_name() -> None:
    assert amazon_carrier("USPS") == ("USPS", None)
    assert amazon_carrier(AMAZON_LOGISTICS) == ("Amazon Shipping", None)
    assert amazon_carrier("Evri") == ("Other", "Evri")
    assert canonical_carrier("  Evri ") == "Evri"  # a carrier not in the list: as typed
