"""The shop's configuration: one folder of TOML files, loaded and checked once at start.

    shop.toml       the shop: inbox, data folder, retention, fonts, assets, Amazon, desk page
    printers.toml   [[printer]] devices and their hot folders
    products.toml   [[product]] templates: which printer makes each surface, at what size

A missing file means its defaults; anything present must be valid, and every problem raises
`ConfigError` naming the file, the entry and the problem. Relative paths are relative to the
configuration folder. Secrets never live here: they come from the environment or from
`secrets.toml` (mode 600) beside shop.toml (`production.config.secrets`).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast
from urllib.parse import urlsplit

from printers.kinds import DEFAULT_DEVICE_KIND, DEVICE_KINDS
from production.config.builtin import DEFAULT_CONFIG_DIR
from production.config.desk import DEFAULT_DESK_LISTEN, DeskSettings, desk_settings
from production.config.limits import parse_limits
from production.config.products import parse_dither, parse_products
from production.config.region import amazon_region
from production.config.schema import Location, Table, read_toml, resolve_path
from production.config.shipping import (
    LABEL_KIND,
    SHIPPING_KEYS,
    ShippingSettings,
    parse_shipping,
)
from production.config.slips import DEFAULT_SLIPS, SlipSettings, slip_settings
from production.core.errors import ConfigError
from production.core.limits import DEFAULT_LIMITS, ZipLimits
from production.core.regions import Region
from production.core.templates import (
    DEFAULT_PRINTER_DPI,
    TICKET_FORMATS,
    Feedback,
    Printer,
    PrintFormat,
    Product,
    TicketFormat,
)

__all__ = [
    "DEFAULT_AMAZON_ENDPOINT",
    "DEFAULT_BACKUPS_KEPT",
    "DEFAULT_CONFIG_DIR",
    "DEFAULT_DESK_LISTEN",
    "DEFAULT_LWA_ENDPOINT",
    "DEFAULT_MARKETPLACE_IDS",
    "DEFAULT_SETTLE_SECONDS",
    "DEFAULT_SHOP_NAME",
    "MAX_RENDER_WORKERS",
    "AmazonSettings",
    "AssetSettings",
    "DeskSettings",
    "FontSettings",
    "Settings",
    "ShippingSettings",
    "ShopSettings",
    "SlipSettings",
    "load_settings",
]

DEFAULT_SHOP_NAME = "Print shop"
DEFAULT_SETTLE_SECONDS = 2.0
"""How long a file in the inbox must stay unchanged before it is taken (it may still be copied)."""
MAX_RENDER_WORKERS = 64
"""More render processes than this is a typo: each holds a renderer (about 60 MB)."""
DEFAULT_AMAZON_ENDPOINT = "https://sellingpartnerapi-na.amazon.com"
DEFAULT_LWA_ENDPOINT = "https://api.amazon.com"
DEFAULT_MARKETPLACE_IDS = ("ATVPDKIKX0DER",)  # amazon.com
DEFAULT_POLL_SECONDS = 120.0
DEFAULT_AMAZON_DEADLINE_SECONDS = 90.0
OrdersApi = Literal["2026-01-01", "v0", "report"]
ORDERS_APIS: tuple[OrdersApi, ...] = ("2026-01-01", "v0", "report")
DEFAULT_BACKUPS_KEPT = 7  # a week of daily copies of the job store


_SHOP_FILE_KEYS = frozenset(
    {"shop", "fonts", "assets", "amazon", "desk", "limits", "shipping", "box"}
)
_SHOP_KEYS = frozenset(
    {
        "name", "inbox", "data_dir", "retention_days", "settle_seconds", "render_workers",
        "backups_kept",
    }
)  # fmt: skip
_FONT_KEYS = frozenset({"dirs", "aliases", "emoji", "metric_substitutes", "nearest_face"})
_ASSET_KEYS = frozenset({"dir", "allowed_hosts"})
_AMAZON_KEYS = frozenset(
    {"region", "endpoint", "lwa_endpoint", "marketplace_ids", "orders_api", "poll_seconds",
     "deadline_seconds"}
)  # fmt: skip
_PRINTER_KEYS = frozenset(
    {
        "id", "name", "hot_folder", "done_folder", "dpi", "mirror", "format", "feedback",
        "dither", "invert", "kind", "ticket", "job_sheet",
    }
)  # fmt: skip
_SECRET_WORDS = ("secret", "token", "client_id", "password", "key")
_DEVICE_CLASS = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
_PRINTER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


@dataclass(frozen=True, slots=True)
class ShopSettings:
    name: str
    inbox: Path  # operators drop order zips here
    data_dir: Path  # the job store, working copies, print files
    retention_days: int  # days buyer files are kept after an order ships; 0: purge once shipped
    settle_seconds: float = DEFAULT_SETTLE_SECONDS  # an inbox file unchanged this long is taken
    # Processes `production run` renders in, beside its loop; None: one per CPU (up to 4); 0:
    # none, the loop renders itself.
    render_workers: int | None = None
    # Daily copies of the job store kept in data_dir/backups/ (purged like it); 0: none taken.
    backups_kept: int = DEFAULT_BACKUPS_KEPT


@dataclass(frozen=True, slots=True)
class FontSettings:
    dirs: tuple[Path, ...]  # searched before the system fonts, in order
    aliases: dict[str, str]  # family -> the substitute the shop chose for it
    emoji: str | None = None  # the family emoji are drawn in; None: a line with emoji is held
    # Liberation, Carlito, Caladea stand in for Arial, Times New Roman, Courier New, Calibri,
    # Cambria (same character widths), marked on the ticket; off: a missing one holds the job.
    metric_substitutes: bool = False
    # A bold or italic the family lacks is printed in its nearest face; off: the job is held.
    nearest_face: bool = False


@dataclass(frozen=True, slots=True)
class AssetSettings:
    dir: Path  # option overlay images, found by file name
    allowed_hosts: tuple[str, ...]  # hosts images may be fetched from; empty: never fetch


@dataclass(frozen=True, slots=True)
class AmazonSettings:
    endpoint: str  # Selling Partner API base URL, no trailing slash
    lwa_endpoint: str  # Login with Amazon base URL (`/auth/o2/token` is appended)
    marketplace_ids: tuple[str, ...]
    # "v0" for accounts that still use getOrders; "report" for the unshipped-orders report
    orders_api: OrdersApi = "2026-01-01"
    poll_seconds: float = 120.0  # how often new orders are looked for
    deadline_seconds: float = 90.0  # one call to Amazon, every retry included, gives up after
    region: Region = "na"  # whose endpoint `endpoint` is, unless the shop set its own


@dataclass(frozen=True, slots=True)
class Settings:
    """The whole configuration of one shop."""

    root: Path
    shop: ShopSettings
    printers: dict[str, Printer]
    products: tuple[Product, ...]
    fonts: FontSettings
    assets: AssetSettings
    amazon: AmazonSettings | None = None
    desk: DeskSettings | None = None
    limits: ZipLimits = DEFAULT_LIMITS  # [limits]: what a customization zip may hold
    # [shipping], [[box]] and the products' packages: how labels are bought, if they are
    shipping: ShippingSettings = field(default_factory=ShippingSettings)
    slips: SlipSettings = DEFAULT_SLIPS  # [shipping] slip_*: what a packing slip shows

    def product_for(self, asin: str | None, sku: str | None) -> Product | None:
        """The product an order item is made as: a SKU match wins over an ASIN match."""
        for wanted, attribute in ((sku, "sku"), (asin, "asin")):
            if not wanted or not wanted.strip():
                continue
            key = wanted.strip().casefold()
            for product in self.products:
                value: str | None = getattr(product, attribute)
                if value is not None and value.casefold() == key:
                    return product
        return None


def load_settings(config_dir: Path | str) -> Settings:
    """Read and check the configuration folder; raise `ConfigError` on the first problem."""
    root = Path(config_dir).expanduser().absolute()
    if not root.is_dir():
        raise ConfigError("configuration folder does not exist", source=str(root))
    shop_file = Table(read_toml(root, "shop.toml") or {}, _at(root, "shop.toml"), _SHOP_FILE_KEYS)
    printers = _printers(read_toml(root, "printers.toml"), root)
    assets = _assets(shop_file, root)
    products_data = read_toml(root, "products.toml")
    products = parse_products(
        products_data,
        root,
        printers,
        svg_printers={p.id for p in printers.values() if p.format == "svg"},
        assets=assets.dir,
    )
    amazon = _amazon(shop_file)
    shipping = parse_shipping(
        shop_file, printers, products_data, products, root, amazon=amazon is not None
    )
    _check_label_printers(printers, products, shipping)
    return Settings(
        root=root,
        shop=_shop(shop_file, root),
        printers=printers,
        products=products,
        fonts=_fonts(shop_file, root),
        assets=assets,
        amazon=amazon,
        desk=desk_settings(shop_file),
        limits=parse_limits(shop_file),
        shipping=shipping,
        slips=slip_settings(shop_file, printers=printers, other_keys=SHIPPING_KEYS),
    )


def _check_label_printers(
    printers: dict[str, Printer], products: tuple[Product, ...], shipping: ShippingSettings
) -> None:
    """A label printer takes labels, never a product's surface."""
    labels = {p.id for p in printers.values() if p.kind == LABEL_KIND}
    for product in products:
        for surface in product.surfaces:
            if surface.printer in labels:
                raise ConfigError(
                    f"product {product.sku or product.asin}: surface '{surface.name}' goes to"
                    f" the label printer '{surface.printer}', which prints shipping labels only",
                    source="products.toml",
                )


def _at(root: Path, where: str) -> Location:
    return Location(str(root), where)


def _shop(file: Table, root: Path) -> ShopSettings:
    table = file.table("shop", _SHOP_KEYS) or Table({}, file.location.child("[shop]"), ())
    return ShopSettings(
        name=table.text("name", DEFAULT_SHOP_NAME),
        inbox=table.path("inbox", root, "inbox"),
        data_dir=table.path("data_dir", root, "data"),
        retention_days=table.integer("retention_days", 0),
        settle_seconds=table.number("settle_seconds", DEFAULT_SETTLE_SECONDS),
        render_workers=_render_workers(table),
        backups_kept=table.integer("backups_kept", DEFAULT_BACKUPS_KEPT),
    )


def _render_workers(table: Table) -> int | None:
    if "render_workers" not in table:
        return None
    workers = table.integer("render_workers")
    if workers > MAX_RENDER_WORKERS:
        raise table.error(f"render_workers must be at most {MAX_RENDER_WORKERS}, not {workers}")
    return workers


def _fonts(file: Table, root: Path) -> FontSettings:
    table = file.table("fonts", _FONT_KEYS) or Table({}, file.location.child("[fonts]"), ())
    dirs = table.text_list("dirs", ["fonts"])
    aliases = table.raw("aliases") or {}
    if not isinstance(aliases, dict):
        raise table.error('aliases must be a table of "Family" = "Substitute" pairs')
    for family, substitute in aliases.items():
        if not isinstance(substitute, str) or not substitute.strip():
            raise table.error(f"aliases: '{family}' must name a substitute family")
        if substitute.strip().casefold() == family.strip().casefold():
            raise table.error(f"aliases: '{family}' is an alias of itself")
    return FontSettings(
        dirs=tuple(resolve_path(root, folder) for folder in dirs),
        aliases={family.strip(): value.strip() for family, value in aliases.items()},
        emoji=table.optional_text("emoji"),
        metric_substitutes=table.boolean("metric_substitutes", False),
        nearest_face=table.boolean("nearest_face", False),
    )


def _assets(file: Table, root: Path) -> AssetSettings:
    table = file.table("assets", _ASSET_KEYS) or Table({}, file.location.child("[assets]"), ())
    hosts = tuple(host.lower() for host in table.text_list("allowed_hosts", []))
    for host in hosts:
        if not _HOST.fullmatch(host) and not _is_ip(host):
            raise table.error(f"allowed_hosts: '{host}' is not a host name such as cdn.example.com")
    return AssetSettings(dir=table.path("dir", root, "assets"), allowed_hosts=hosts)


def _amazon(file: Table) -> AmazonSettings | None:
    raw = file.raw("amazon")
    if raw is None:
        return None
    if isinstance(raw, dict):
        for key in raw:
            if key not in _AMAZON_KEYS and any(word in key.lower() for word in _SECRET_WORDS):
                raise file.location.child("[amazon]").error(
                    f"'{key}' looks like a secret: secrets go in secrets.toml beside shop.toml"
                    " (mode 600) or in the environment, never in shop.toml"
                )
    table = Table(raw, file.location.child("[amazon]"), _AMAZON_KEYS)
    marketplaces = table.text_list("marketplace_ids", list(DEFAULT_MARKETPLACE_IDS))
    if not marketplaces:
        raise table.error("marketplace_ids must name at least one marketplace")
    endpoint_given = table.raw("endpoint") is not None
    region, region_endpoint = amazon_region(table, marketplaces, endpoint_given=endpoint_given)
    return AmazonSettings(
        region=region,
        endpoint=_url(table, "endpoint", region_endpoint),
        lwa_endpoint=_url(table, "lwa_endpoint", DEFAULT_LWA_ENDPOINT),
        marketplace_ids=marketplaces,
        orders_api=cast(OrdersApi, table.choice("orders_api", ORDERS_APIS, "2026-01-01")),
        poll_seconds=table.number("poll_seconds", DEFAULT_POLL_SECONDS, positive=True),
        deadline_seconds=table.number(
            "deadline_seconds", DEFAULT_AMAZON_DEADLINE_SECONDS, positive=True
        ),
    )


def _url(table: Table, key: str, default: str) -> str:
    url = table.text(key, default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise table.error(f"{key} must be an https:// URL, not '{url}'")
    # Tokens travel in these requests: plain http only to this machine (the local simulator).
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise table.error(f"{key} must use https:// (http:// is allowed for localhost only)")
    return url


def _printers(data: dict[str, object] | None, root: Path) -> dict[str, Printer]:
    file = Table(data or {}, _at(root, "printers.toml"), {"printer"})
    printers: dict[str, Printer] = {}
    numbers: dict[str, int] = {}
    for number, entry in enumerate(file.array_of_tables("printer"), start=1):
        raw_id = entry.get("id")
        label = f" (id {raw_id.strip()})" if isinstance(raw_id, str) and raw_id.strip() else ""
        table = Table(entry, file.location.child(f"printer[{number}]{label}"), _PRINTER_KEYS)
        printer = _printer(table, root)
        if printer.id in printers:
            raise table.error(f"repeats the id '{printer.id}' of printer[{numbers[printer.id]}]")
        printers[printer.id] = printer
        numbers[printer.id] = number
    return printers


def _printer(table: Table, root: Path) -> Printer:
    printer_id = table.text("id")
    if not _PRINTER_ID.fullmatch(printer_id):
        raise table.error(f"id '{printer_id}' may hold only letters, digits, '.', '_' and '-'")
    hot_folder = table.path("hot_folder", root)
    done_folder = table.optional_path("done_folder", root)
    if done_folder == hot_folder:
        raise table.error("done_folder must differ from hot_folder")
    default_feedback = "manual" if done_folder is None else "done_folder"
    feedback = cast(Feedback, table.choice("feedback", ("done_folder", "manual"), default_feedback))
    if feedback == "done_folder" and done_folder is None:
        raise table.error('feedback = "done_folder" needs a done_folder')
    return Printer(
        id=printer_id,
        name=table.text("name", printer_id),
        hot_folder=hot_folder,
        done_folder=done_folder,
        dpi=table.integer("dpi", DEFAULT_PRINTER_DPI, minimum=1),
        mirror=table.boolean("mirror", False),
        format=cast(PrintFormat, table.choice("format", ("pdf", "svg"), "pdf")),
        feedback=feedback,
        dither=parse_dither(table) if "dither" in table else None,
        invert=table.boolean("invert") if "invert" in table else None,
        kind=_device_kind(table),
        ticket=cast(TicketFormat, table.choice("ticket", TICKET_FORMATS, "json")),
        job_sheet=table.boolean("job_sheet", False),
    )


def _device_kind(table: Table) -> str:
    # A shop's own device is named by where its class lives; it is imported when the daemon
    # builds its devices, so a typo here is caught at start, never at the first job.
    kind = table.text("kind", DEFAULT_DEVICE_KIND)
    if kind in DEVICE_KINDS or _DEVICE_CLASS.fullmatch(kind):
        return kind
    known = ", ".join(f"'{name}'" for name in DEVICE_KINDS)
    raise table.error(f"kind must be one of {known} or 'package.module:Class', not '{kind}'")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    return _is_ip(host) and ipaddress.ip_address(host).is_loopback
