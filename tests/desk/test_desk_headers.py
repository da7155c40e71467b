"""The desk over real HTTP is not fooled by what a client writes in its headers: forwarded
addresses and schemes count only from a trusted proxy, and the Host must be the desk's own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from production.app.wiring import desk_service
from production.config.desk import LOCAL_HOSTS
from production.config.settings import load_settings
from production.core.errors import ConfigError
from production.desk import DeskService
from production.floor.events import EventLog
from tests.desk.desk_shop import ENVIRON, PASSWORD, DeskShop
from tests.desk.test_desk_http import csrf_of


def desk_table(shop: DeskShop, lines: str, *, listen: str = "127.0.0.1:8080") -> None:
    """Replace the shop's `[desk]` table (written last in shop.toml by `DeskShop`)."""
    shop_toml = shop.config / "shop.toml"
    text = shop_toml.read_text()
    head, _, _ = text.rpartition("\n[desk]\n")
    shop_toml.write_text(f'{head}\n[desk]\nlisten = "{listen}"\n{lines}\n')


@contextmanager
def serving(shop: DeskShop, log: EventLog | None = None) -> Iterator[DeskService]:
    service = desk_service(
        load_settings(shop.config),
        amazon=None,
        wake=lambda: None,
        environ=ENVIRON,
        port=0,
        log=log,
    )
    service.start()
    try:
        yield service
    finally:
        service.stop()


def log_in(client: httpx.Client, password: str, **headers: str) -> httpx.Response:
    token = csrf_of(client.get("/login", headers=headers).text)
    return client.post("/login", data={"password": password, "csrf": token}, headers=headers)


def set_cookies(answer: httpx.Response, name: str) -> list[str]:
    return [v for k, v in answer.headers.multi_items() if k == "set-cookie" and f"{name}=" in v]


# -- the lockout keys on the connection's own address --------------------------------------------


def test_a_forged_forwarded_address_does_not_escape_the_lockout(desk: DeskService) -> None:
    client = httpx.Client(base_url=desk.base_url)
    answers = [
        log_in(client, "guess", **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code
        for n in range(1, 41)
    ]
    # Five tries, then 127.0.0.1 itself (the real peer) waits, whatever address it claims.
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}


def test_the_right_password_from_a_forged_address_is_refused_while_locked(
    desk: DeskService,
) -> None:
    client = httpx.Client(base_url=desk.base_url)
    for _ in range(5):
        assert log_in(client, "guess").status_code == 401
    answer = log_in(client, PASSWORD, **{"X-Forwarded-For": "198.51.100.7"})
    assert answer.status_code == 429 and "Too many wrong passwords" in answer.text
    assert not set_cookies(answer, "desk_session")
    assert client.get("/").headers["location"] == "/login"


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(shop: DeskShop) -> None:
    desk_table(shop, 'trusted_proxies = ["127.0.0.1"]')
    with serving(shop) as desk:
        client = httpx.Client(base_url=desk.base_url)
        for _ in range(5):
            assert log_in(client, "guess", **{"X-Forwarded-For": "203.0.113.9"}).status_code == 401
        locked = log_in(client, PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
        assert locked.status_code == 429
        # Another client behind the same proxy is not locked out by the first one's guesses.
        assert log_in(client, PASSWORD, **{"X-Forwarded-For": "203.0.113.10"}).status_code == 303


# -- Host ----------------------------------------------------------------------------------------


def test_another_host_name_is_refused(desk: DeskService) -> None:
    port = desk.base_url.rsplit(":", 1)[1]
    client = httpx.Client(base_url=desk.base_url)
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example"):
        answer = client.get("/login", headers={"Host": host})
        assert answer.status_code == 421, host
        assert "csrf" not in answer.text
    for host in ("", "127.0.0.1:x", "[::1"):
        assert client.get("/login", headers={"Host": host}).status_code == 400, host
    for host in ("127.0.0.1", f"127.0.0.1:{port}", "localhost", f"LOCALHOST:{port}", "[::1]"):
        assert client.get("/login", headers={"Host": host}).status_code == 200, host


def test_the_names_in_desk_hosts_are_served(shop: DeskShop) -> None:
    desk_table(shop, 'hosts = ["desk.shop.lan"]')
    with serving(shop) as desk:
        client = httpx.Client(base_url=desk.base_url)
        assert client.get("/login", headers={"Host": "desk.shop.lan:8443"}).status_code == 200
        assert client.get("/login", headers={"Host": "localhost"}).status_code == 200
        assert client.get("/login", headers={"Host": "evil.example"}).status_code == 421


def test_the_listen_address_and_localhost_are_always_hosts(shop: DeskShop) -> None:
    desk_table(shop, 'hosts = ["Desk.Shop.LAN", "[fd00::5]"]', listen="[fd00::7]:8080")
    desk = load_settings(shop.config).desk
    assert desk is not None
    assert set(desk.hosts) == {"desk.shop.lan", "fd00::5", "fd00::7", *LOCAL_HOSTS}
    assert (desk.trusted_proxies, desk.https) == ((), False)


def test_a_desk_on_every_address_with_no_hosts_says_what_to_add(shop: DeskShop) -> None:
    desk_table(shop, "", listen="0.0.0.0:8080")
    events: list[dict[str, object]] = []
    with serving(shop, events.append) as desk:
        port = desk.base_url.rsplit(":", 1)[1]
        answer = httpx.get(f"http://127.0.0.1:{port}/login", headers={"Host": "192.0.2.1"})
        assert answer.status_code == 421
        assert httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200
    [warning] = [e for e in events if e["state"] == "desk hosts"]
    assert "[desk] hosts" in str(warning["reason"])


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        ('hosts = ["desk.shop.lan:8080"]', "without port"),
        ('hosts = ["https://desk.shop.lan"]', "without port or scheme"),
        ('trusted_proxies = ["proxy.lan"]', "IP address or network"),
        ('https = "yes"', "true or false"),
    ],
)
def test_desk_keys_are_checked(shop: DeskShop, lines: str, problem: str) -> None:
    desk_table(shop, lines)
    with pytest.raises(ConfigError, match=problem):
        load_settings(shop.config)


# -- Secure cookies ------------------------------------------------------------------------------


def test_a_forwarded_https_from_an_untrusted_peer_does_not_make_cookies_secure(
    desk: DeskService,
) -> None:
    client = httpx.Client(base_url=desk.base_url)
    forged = {"X-Forwarded-Proto": "https"}
    [login_cookie] = set_cookies(client.get("/login", headers=forged), "desk_login")
    assert "secure" not in login_cookie.lower()
    [cookie] = set_cookies(log_in(client, PASSWORD, **forged), "desk_session")
    assert "secure" not in cookie.lower()
    assert client.get("/").status_code == 200  # over plain http the session works


def test_cookies_are_secure_when_the_desk_says_https(shop: DeskShop) -> None:
    desk_table(shop, "https = true")
    with serving(shop) as desk:
        client = httpx.Client(base_url=desk.base_url)
        [login_cookie] = set_cookies(client.get("/login"), "desk_login")
        assert "Secure" in login_cookie
        token = csrf_of(client.get("/login").text)
        # httpx keeps Secure cookies off plain http, as a browser does: send it by hand.
        answer = client.post(
            "/login",
            data={"password": PASSWORD, "csrf": token},
            headers={"Cookie": f"desk_login={token}"},
        )
        [cookie] = set_cookies(answer, "desk_session")
        assert "Secure" in cookie


def test_cookies_are_secure_when_a_trusted_proxy_says_https(shop: DeskShop) -> None:
    desk_table(shop, 'trusted_proxies = ["127.0.0.1"]')
    with serving(shop) as desk:
        client = httpx.Client(base_url=desk.base_url)
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
        assert "Secure" in set_cookies(client.get("/login", headers=proxied), "desk_login")[0]
        plain = {"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.5"}
        assert "secure" not in set_cookies(client.get("/login", headers=plain), "desk_login")[0]
