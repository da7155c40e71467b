"""Job ids and file names: every surface keeps its meaning in the file name, in any script."""

from __future__ import annotations

import dataclasses

from production.config.settings import DEFAULT_CONFIG_DIR, load_settings
from production.core.model import Customization
from production.core.stems import job_identity, surface_slug
from production.customization import parse_members, read_zip
from production.floor.rendering import ItemRenderer
from tests.daemon.shop import sample


def _renamed(customization: Customization, names: dict[str, str]) -> Customization:
    surfaces = tuple(
        dataclasses.replace(surface, name=names.get(surface.name, surface.name))
        for surface in customization.surfaces
    )
    return dataclasses.replace(customization, surfaces=surfaces)


def test_surface_names_in_other_scripts_stay_apart_in_file_names() -> None:
    assert surface_slug("Surface 1") == "Surface-1"
    assert surface_slug("正面") == "ZhengMian"
    assert surface_slug("背面") == "BeiMian"
    assert surface_slug("Лицевая сторона") == "Litsevaya-storona"
    assert surface_slug("Façade") == "Facade"


def test_a_surface_name_without_letters_is_named_by_its_place() -> None:
    members = read_zip(sample("two-surfaces").read_bytes(), source="test")
    first, second = (s.name for s in parse_members(members, source="test").surfaces)
    customization = _renamed(parse_members(members, source="test"), {first: "★", second: "☆"})
    taken: set[str] = set()
    one = job_identity(customization, "★", taken)
    two = job_identity(customization, "☆", taken)
    assert one.stem.endswith("_s1") and two.stem.endswith("_s2")
    assert one.job_id != two.job_id


def test_front_and_back_named_in_chinese_print_as_two_files_that_say_which() -> None:
    settings = load_settings(DEFAULT_CONFIG_DIR)
    members = read_zip(sample("two-surfaces").read_bytes(), source="test")
    parsed = parse_members(members, source="test")
    names = dict(zip((s.name for s in parsed.surfaces), ("正面", "背面"), strict=False))
    customization = _renamed(parsed, names)
    product = settings.product_for(parsed.item.asin, parsed.item.sku)
    assert product is not None
    templates = tuple(
        dataclasses.replace(template, name=names.get(template.name, template.name))
        for template in product.surfaces
    )
    renamed = dataclasses.replace(product, surfaces=templates)
    shop = dataclasses.replace(
        settings, products=tuple(renamed if p is product else p for p in settings.products)
    )
    output = ItemRenderer(shop).render_members(members, customization=customization)
    stems = sorted(job.identity.stem for job in output.jobs)
    assert [stem.rsplit("_", 1)[1] for stem in stems] == ["BeiMian", "ZhengMian"]
    # The ticket keeps the surface's own name for the person at the device.
    assert sorted(job.ticket.surface for job in output.jobs) == sorted(["正面", "背面"])
