"""The SP-API client against a scripted Amazon (httpx.MockTransport), on a virtual clock."""

from __future__ import annotations

import gzip
import json
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from random import Random
from typing import Any

import httpx
import pytest

from production.amazon.client import (
    ACCESS_TOKEN_HEADER,
    DEFAULT_USER_AGENT,
    ORDER_ITEMS_RDT_PATH,
    SpApiClient,
)
from production.amazon.credentials import Credentials
from production.amazon.download import gunzip
from production.amazon.errors import (
    AuthError,
    DownloadError,
    DownloadTooLargeError,
    InternalFailureError,
    InvalidInputError,
    NotFoundError,
    QuotaExceededError,
    RequestValidationError,
    ServiceUnavailableError,
    SpApiError,
    UnauthorizedError,
    UnreachableError,
)
from production.amazon.retry import retry_after_seconds
from production.amazon.validation import latest_allowed_before
from production.config.settings import AmazonSettings
from production.core.errors import AmazonError, ConfigError

SP = "https://sellingpartnerapi.test"
LWA = "https://lwa.test"
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CREDENTIALS = Credentials("amzn1.application-oa2-client.ID42", "SECRET-abc123", "Atzr|REFRESH-xyz")
SECRETS = (*CREDENTIALS.secrets(), "Atza|ACCESS-", "Atz.sprdt|RDT-")
ORDER = "902-1106328-1059050"
ORDER_2 = "902-1106328-1059051"
EXPIRED = {
    "code": "Unauthorized",
    "message": "Access to requested resource is denied.",
    "details": "The access token you provided has expired.",
}

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(status: int = 200, body: Any = None, **headers: str) -> httpx.Response:
    content = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body)
    return httpx.Response(status, content=content, headers=headers)


def errors(status: int, code: str, message: str, request_id: str = "req-1") -> httpx.Response:
    body = {"errors": [{"code": code, "message": message}]}
    return reply(status, body, **{"x-amzn-RequestId": request_id})


class Amazon:
    """LWA and the Tokens API as Amazon runs them, and scripted answers for everything else."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.lwa: list[httpx.Response] = []  # scripted LWA answers; empty: issue a token
        self.access_tokens: list[str] = []
        self.rdts: list[str] = []
        self.rdt_bodies: list[Any] = []

    def on(self, method: str, path: str, *answers: Answer) -> None:
        """Answer in turn; the last answer repeats."""
        self.routes[(method, path)] = list(answers)

    def calls(self, path: str) -> list[httpx.Request]:
        return [request for request in self.requests if request.url.path == path]

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.host == "lwa.test":
            if self.lwa:
                return self.lwa.pop(0)
            self.access_tokens.append(f"Atza|ACCESS-{len(self.access_tokens) + 1}")
            body = {"access_token": self.access_tokens[-1], "token_type": "bearer"}
            return reply(200, {**body, "expires_in": 3600})
        if request.url.path == "/tokens/2021-03-01/restrictedDataToken":
            assert request.headers[ACCESS_TOKEN_HEADER] == self.access_tokens[-1]
            self.rdt_bodies.append(json.loads(request.content))
            self.rdts.append(f"Atz.sprdt|RDT-{len(self.rdts) + 1}")
            return reply(200, {"restrictedDataToken": self.rdts[-1], "expiresIn": 3600})
        answers = self.routes[(request.method, request.url.path)]
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer


class Clock:
    def __init__(self) -> None:
        self.now = 5000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class HighestJitter(Random):
    """Always the top of the jitter range, and a record of the ranges asked for."""

    def __init__(self) -> None:
        super().__init__(0)
        self.ceilings: list[float] = []

    def uniform(self, a: float, b: float) -> float:
        self.ceilings.append(b)
        return b


@pytest.fixture
def amazon() -> Amazon:
    return Amazon()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(amazon: Amazon, clock: Clock) -> Iterator[SpApiClient]:
    with connect(amazon, clock) as client:
        yield client


def connect(amazon: Amazon, clock: Clock, **options: Any) -> SpApiClient:
    return SpApiClient(
        endpoint=SP + "/",
        lwa_endpoint=LWA,
        credentials=CREDENTIALS,
        transport=httpx.MockTransport(amazon.handler),
        monotonic=clock.monotonic,
        sleep=clock.sleep,
        now=lambda: NOW,
        **{"random": Random(3), **options},
    )


def order_path(order_id: str = ORDER) -> str:
    return f"/orders/2026-01-01/orders/{order_id}"


def an_order(order_id: str = ORDER) -> httpx.Response:
    return reply(200, {"order": {"orderId": order_id}}, **{"x-amzn-RequestId": "ok"})


def items_page(order_id: str, *item_ids: str, next_token: str | None = None) -> httpx.Response:
    items = [{"OrderItemId": item_id, "QuantityOrdered": 1} for item_id in item_ids]
    payload: dict[str, Any] = {"AmazonOrderId": order_id, "OrderItems": items}
    if next_token:
        payload["NextToken"] = next_token
    return reply(200, {"payload": payload})


def no_secrets(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# Credentials


def test_credentials_come_from_the_three_environment_variables() -> None:
    environ = {
        "SPAPI_CLIENT_ID": " id ",
        "SPAPI_CLIENT_SECRET": "secret",
        "SPAPI_REFRESH_TOKEN": "refresh",
    }
    assert Credentials.from_environment(environ) == Credentials("id", "secret", "refresh")


@pytest.mark.parametrize(
    "missing", ["SPAPI_CLIENT_ID", "SPAPI_CLIENT_SECRET", "SPAPI_REFRESH_TOKEN"]
)
def test_a_missing_variable_is_named_and_no_value_is_shown(missing: str) -> None:
    environ = {
        "SPAPI_CLIENT_ID": "the-id",
        "SPAPI_CLIENT_SECRET": "the-secret",
        "SPAPI_REFRESH_TOKEN": "the-refresh",
        missing: "  ",
    }
    with pytest.raises(ConfigError, match=missing) as caught:
        Credentials.from_environment(environ)
    for value in ("the-id", "the-secret", "the-refresh"):
        assert value not in str(caught.value)


def test_the_environment_is_read_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPAPI_CLIENT_ID", "i")
    monkeypatch.setenv("SPAPI_CLIENT_SECRET", "s")
    monkeypatch.setenv("SPAPI_REFRESH_TOKEN", "r")
    assert Credentials.from_environment().refresh_token == "r"


def test_reprs_show_no_secret(client: SpApiClient) -> None:
    for text in (repr(CREDENTIALS), str(CREDENTIALS), repr(client), f"{CREDENTIALS}"):
        no_secrets(text)
    assert "***" in repr(CREDENTIALS)


# Login with Amazon


def test_the_access_token_is_cached_until_a_minute_before_it_expires(
    amazon: Amazon, clock: Clock, client: SpApiClient
) -> None:
    amazon.on("GET", order_path(), an_order())
    client.get_order(ORDER)
    client.get_order(ORDER)
    clock.now += 3539
    client.get_order(ORDER)
    assert amazon.access_tokens == ["Atza|ACCESS-1"]
    clock.now += 2  # 59 s before expiry
    client.get_order(ORDER)
    assert amazon.access_tokens == ["Atza|ACCESS-1", "Atza|ACCESS-2"]
    sent = [r.headers[ACCESS_TOKEN_HEADER] for r in amazon.calls(order_path())]
    assert sent == ["Atza|ACCESS-1"] * 3 + ["Atza|ACCESS-2"]
    form = httpx.QueryParams(amazon.calls("/auth/o2/token")[0].content.decode())
    assert dict(form) == {
        "grant_type": "refresh_token",
        "refresh_token": CREDENTIALS.refresh_token,
        "client_id": CREDENTIALS.client_id,
        "client_secret": CREDENTIALS.client_secret,
    }
    assert amazon.calls(order_path())[0].headers["user-agent"] == DEFAULT_USER_AGENT


def test_an_expired_token_403_refreshes_the_token_once_and_repeats_the_call(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", order_path(), reply(403, {"errors": [EXPIRED]}), an_order())
    assert client.get_order(ORDER) == {"orderId": ORDER}
    assert amazon.access_tokens == ["Atza|ACCESS-1", "Atza|ACCESS-2"]
    sent = [r.headers[ACCESS_TOKEN_HEADER] for r in amazon.calls(order_path())]
    assert sent == ["Atza|ACCESS-1", "Atza|ACCESS-2"]


def test_a_token_refused_twice_is_an_unauthorized_error(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", order_path(), reply(403, {"errors": [EXPIRED]}, **{"x-amzn-RequestId": "r9"}))
    with pytest.raises(UnauthorizedError) as caught:
        client.get_order(ORDER)
    assert len(amazon.calls(order_path())) == 2
    assert caught.value.request_id == "r9"
    assert caught.value.order_id == ORDER


def test_a_403_for_a_missing_role_is_not_repeated(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on(
        "GET", order_path(), errors(403, "Unauthorized", "Access to requested resource is denied.")
    )
    with pytest.raises(UnauthorizedError, match="denied"):
        client.get_order(ORDER)
    assert len(amazon.calls(order_path())) == 1
    assert amazon.access_tokens == ["Atza|ACCESS-1"]


def test_invalid_grant_says_to_replace_the_refresh_token_and_shows_no_secret(
    amazon: Amazon, client: SpApiClient
) -> None:
    description = f"The request has an invalid grant parameter : {CREDENTIALS.refresh_token}"
    amazon.lwa = [reply(400, {"error": "invalid_grant", "error_description": description})]
    with pytest.raises(AuthError) as caught:
        client.get_order(ORDER)
    message = str(caught.value)
    assert "SPAPI_REFRESH_TOKEN" in message
    assert "invalid grant parameter" in message
    no_secrets(message)
    no_secrets(repr(caught.value))
    assert len(amazon.requests) == 1  # nothing is retried and nothing reaches the SP-API


def test_invalid_client_names_the_client_variables(amazon: Amazon, client: SpApiClient) -> None:
    amazon.lwa = [
        reply(401, {"error": "invalid_client", "error_description": "Client auth failed"})
    ]
    with pytest.raises(AuthError, match="SPAPI_CLIENT_ID and SPAPI_CLIENT_SECRET"):
        client.get_order(ORDER)


def test_login_with_amazon_is_retried_when_it_fails_for_a_moment(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.lwa = [reply(503, b"busy"), reply(200, {"token_type": "bearer"})]  # then a real one
    amazon.on("GET", order_path(), an_order())
    assert client.get_order(ORDER) == {"orderId": ORDER}
    assert len(amazon.calls("/auth/o2/token")) == 3


# Restricted data tokens


def test_one_rdt_serves_every_order_for_its_hour_and_is_renewed_after(
    amazon: Amazon, clock: Clock, client: SpApiClient
) -> None:
    for order_id in (ORDER, ORDER_2):
        amazon.on("GET", f"/orders/v0/orders/{order_id}/orderItems", items_page(order_id, "1"))
    client.get_order_items(ORDER)
    client.get_order_items(ORDER_2)
    clock.now += 3500
    client.get_order_items(ORDER)
    assert amazon.rdts == ["Atz.sprdt|RDT-1"]
    clock.now += 100
    client.get_order_items(ORDER_2)
    assert amazon.rdts == ["Atz.sprdt|RDT-1", "Atz.sprdt|RDT-2"]
    resource = {"method": "GET", "path": ORDER_ITEMS_RDT_PATH, "dataElements": ["buyerInfo"]}
    assert amazon.rdt_bodies[0] == {"restrictedResources": [resource]}
    sent = [r.headers[ACCESS_TOKEN_HEADER] for r in amazon.requests if r.url.path.endswith("Items")]
    assert sent == ["Atz.sprdt|RDT-1"] * 3 + ["Atz.sprdt|RDT-2"]


def test_order_items_without_buyer_info_carry_the_access_token(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", f"/orders/v0/orders/{ORDER}/orderItems", items_page(ORDER, "1"))
    client.get_order_items(ORDER, buyer_info=False)
    assert amazon.rdts == []
    assert amazon.requests[-1].headers[ACCESS_TOKEN_HEADER] == "Atza|ACCESS-1"


def test_an_expired_rdt_is_replaced_once(amazon: Amazon, client: SpApiClient) -> None:
    path = f"/orders/v0/orders/{ORDER}/orderItems"
    amazon.on("GET", path, reply(403, {"errors": [EXPIRED]}), items_page(ORDER, "1"))
    assert [item["OrderItemId"] for item in client.get_order_items(ORDER)] == ["1"]
    assert amazon.rdts == ["Atz.sprdt|RDT-1", "Atz.sprdt|RDT-2"]
    assert amazon.access_tokens == ["Atza|ACCESS-1"]


def test_restricted_data_token_is_public_and_cached(amazon: Amazon, client: SpApiClient) -> None:
    first = client.restricted_data_token("/orders/v0/orders/{orderId}/address")
    assert client.restricted_data_token("/orders/v0/orders/{orderId}/address") == first
    assert amazon.rdt_bodies == [
        {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}]}
    ]


# Rate limits


def test_calls_past_the_burst_take_one_interval_each(
    amazon: Amazon, clock: Clock, client: SpApiClient
) -> None:
    amazon.on("GET", order_path(), an_order())
    start = clock.now
    for _ in range(35):  # getOrder: burst 30, then one call every 2 s
        client.get_order(ORDER)
    assert clock.now - start == pytest.approx(10.0)


def test_the_rate_header_speeds_the_bucket_up(
    amazon: Amazon, clock: Clock, client: SpApiClient
) -> None:
    amazon.on("GET", order_path(), reply(200, {"order": {}}, **{"x-amzn-RateLimit-Limit": "1.0"}))
    start = clock.now
    for _ in range(35):
        client.get_order(ORDER)
    assert clock.now - start == pytest.approx(5.0)


# Retries


def test_429_500_503_and_timeouts_are_retried_with_growing_jitter(
    amazon: Amazon, clock: Clock
) -> None:
    jitter = HighestJitter()
    request = httpx.Request("GET", SP)
    amazon.on(
        "GET",
        order_path(),
        errors(429, "QuotaExceeded", "slow down"),
        errors(500, "InternalFailure", "oops"),
        errors(503, "ServiceUnavailable", "busy"),
        httpx.ReadTimeout("slow", request=request),
        httpx.ConnectError("refused", request=request),
        an_order(),
    )
    with connect(amazon, clock, random=jitter) as client:
        assert client.get_order(ORDER) == {"orderId": ORDER}
    assert len(amazon.calls(order_path())) == 6
    assert jitter.ceilings == [1.0, 2.0, 4.0, 8.0, 16.0]
    # After the 429 the backoff (1 s), then the emptied bucket's wait for the rest of its
    # interval (getOrder earns a token in 2 s); later backoffs leave the bucket time to refill.
    assert clock.sleeps == [1.0, 1.0, 2.0, 4.0, 8.0, 16.0]


def test_jitter_stays_within_its_bounds(amazon: Amazon, clock: Clock) -> None:
    amazon.on("GET", order_path(), errors(500, "InternalFailure", "oops"))
    with connect(amazon, clock, max_attempts=6) as client, pytest.raises(InternalFailureError):
        client.get_order(ORDER)
    assert len(clock.sleeps) == 5
    for number, slept in enumerate(clock.sleeps, start=1):
        assert 0.0 <= slept <= 2.0 ** (number - 1)


def test_retry_after_is_honoured(amazon: Amazon, clock: Clock, client: SpApiClient) -> None:
    busy = reply(
        503, {"errors": [{"code": "ServiceUnavailable", "message": "x"}]}, **{"Retry-After": "7"}
    )
    amazon.on("GET", order_path(), busy, an_order())
    client.get_order(ORDER)
    assert clock.sleeps == [7.0]


def test_retry_after_as_an_http_date() -> None:
    assert retry_after_seconds("Mon, 02 Mar 2026 12:00:30 GMT", now=NOW) == 30.0
    assert retry_after_seconds("garbage", now=NOW) is None
    assert retry_after_seconds("-5") == 0.0


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (errors(429, "QuotaExceeded", "You exceeded your quota", "req-429"), QuotaExceededError),
        (errors(503, "ServiceUnavailable", "Try later", "req-503"), ServiceUnavailableError),
        (errors(500, "InternalFailure", "Failed", "req-500"), InternalFailureError),
    ],
)
def test_after_every_attempt_the_typed_error_is_raised(
    amazon: Amazon, clock: Clock, answer: httpx.Response, error: type[SpApiError]
) -> None:
    amazon.on("GET", order_path(), answer)
    with connect(amazon, clock, max_attempts=3) as client, pytest.raises(error) as caught:
        client.get_order(ORDER)
    assert len(amazon.calls(order_path())) == 3
    assert caught.value.request_id == answer.headers["x-amzn-RequestId"]
    assert caught.value.request_id in str(caught.value)
    assert caught.value.status == answer.status_code


def test_connection_errors_on_every_attempt_are_unreachable(amazon: Amazon, clock: Clock) -> None:
    amazon.on("GET", order_path(), httpx.ConnectError("refused"))
    with (
        connect(amazon, clock, max_attempts=2) as client,
        pytest.raises(UnreachableError) as caught,
    ):
        client.get_order(ORDER)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert caught.value.status is None


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "InvalidInput", InvalidInputError),
        (400, "Invalid Input", InvalidInputError),  # the spelling of Amazon's own sandbox
        (404, "NotFound", NotFoundError),
        (403, "Unauthorized", UnauthorizedError),
        (409, "Conflict", SpApiError),
    ],
)
def test_errors_are_typed_by_amazon_code_and_carry_the_request_id(
    amazon: Amazon, client: SpApiClient, status: int, code: str, error: type[SpApiError]
) -> None:
    amazon.on("GET", order_path(), errors(status, code, "Amazon's own words", "req-77"))
    with pytest.raises(error) as caught:
        client.get_order(ORDER)
    assert isinstance(caught.value, AmazonError)
    assert (caught.value.code, caught.value.status) == (code, status)
    assert caught.value.request_id == "req-77"
    assert caught.value.operation == "getOrder"
    assert "Amazon's own words" in str(caught.value) and "req-77" in str(caught.value)
    assert len(amazon.calls(order_path())) == 1


def test_a_body_that_is_not_json_is_read_again_once(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", order_path(), reply(200, b"<html>oops"), an_order())
    assert client.get_order(ORDER) == {"orderId": ORDER}
    amazon.on("GET", order_path(), reply(200, b"{truncated", **{"x-amzn-RequestId": "req-m"}))
    with pytest.raises(SpApiError, match="not JSON") as caught:
        client.get_order(ORDER)
    assert caught.value.code == "MalformedResponse"
    assert caught.value.request_id == "req-m"
    assert len(amazon.calls(order_path())) == 4


def test_an_error_without_sp_api_json_is_still_typed(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", order_path(), reply(404, b"<html>Not Found</html>"))
    with pytest.raises(NotFoundError, match="no SP-API error"):
        client.get_order(ORDER)


# Orders 2026-01-01


def test_search_orders_follows_every_page_with_tokens_kept_exactly(
    amazon: Amazon, client: SpApiClient
) -> None:
    tokens = ["Ab+c/d==", "x/Y+z=9+"]
    pages = {
        None: {
            "orders": [{"orderId": "1"}, {"orderId": "2"}],
            "pagination": {"nextToken": tokens[0]},
        },
        tokens[0]: {"orders": [{"orderId": "3"}], "pagination": {"nextToken": tokens[1]}},
        tokens[1]: {"orders": [{"orderId": "4"}], "lastUpdatedBefore": "2026-03-02T11:50:00Z"},
    }
    seen: list[str | None] = []

    def search(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        seen.append(params.get("paginationToken"))
        assert params["lastUpdatedAfter"] == "2026-03-01T12:00:00Z"
        assert params["lastUpdatedBefore"] == "2026-03-02T11:50:00Z"
        assert params["marketplaceIds"] == "ATVPDKIKX0DER,A2EUQ1WTGCTBG2"
        assert params["fulfillmentStatuses"] == "UNSHIPPED"
        assert params["fulfilledBy"] == "MERCHANT"
        assert params["includedData"] == "FULFILLMENT,CANCELLATION"
        assert params["maxResultsPerPage"] == "50"
        assert "createdAfter" not in params
        return reply(200, pages[params.get("paginationToken")])

    amazon.on("GET", "/orders/2026-01-01/orders", search)
    orders = client.iter_search_orders(
        marketplace_ids=["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"],
        last_updated_after=NOW - timedelta(days=1),
        last_updated_before=NOW - timedelta(minutes=10),
        max_results=50,
    )
    assert [order["orderId"] for order in orders] == ["1", "2", "3", "4"]
    assert seen == [None, *tokens]
    raw = [r.url.query.decode() for r in amazon.calls("/orders/2026-01-01/orders")]
    assert "paginationToken=Ab%2Bc%2Fd%3D%3D" in raw[1]


def test_one_page_of_search_orders_is_returned_as_amazon_sent_it(
    amazon: Amazon, client: SpApiClient
) -> None:
    page = {"orders": [], "pagination": {"nextToken": "t"}, "createdBefore": "2026-03-02T11:58:00Z"}
    amazon.on("GET", "/orders/2026-01-01/orders", reply(200, page))
    answer = client.search_orders(
        marketplace_ids="ATVPDKIKX0DER", created_after=NOW - timedelta(hours=1)
    )
    assert answer == page
    params = amazon.requests[-1].url.params
    assert params["createdAfter"] == "2026-03-02T11:00:00Z"
    assert params["marketplaceIds"] == "ATVPDKIKX0DER"


def test_a_next_token_given_twice_stops_the_pages(amazon: Amazon, client: SpApiClient) -> None:
    loop = {"orders": [{"orderId": "1"}], "pagination": {"nextToken": "same"}}
    amazon.on("GET", "/orders/2026-01-01/orders", reply(200, loop))
    with pytest.raises(SpApiError, match="already given"):
        list(client.iter_search_orders(marketplace_ids=["M"], created_after=NOW - timedelta(1)))


def test_get_order_returns_the_order(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", order_path(), an_order())
    assert client.get_order(ORDER, included_data=("FULFILLMENT",)) == {"orderId": ORDER}
    assert amazon.requests[-1].url.params["includedData"] == "FULFILLMENT"


# Orders v0


def test_v0_orders_are_unwrapped_from_their_payload_across_pages(
    amazon: Amazon, client: SpApiClient
) -> None:
    def orders(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["MarketplaceIds"] == "ATVPDKIKX0DER"
        assert params["LastUpdatedAfter"] == "2026-03-02T10:00:00Z"
        assert params["OrderStatuses"] == "Unshipped"
        assert params["FulfillmentChannels"] == "MFN"
        if params.get("NextToken") == "n/+=":
            return reply(200, {"payload": {"Orders": [{"AmazonOrderId": "B"}]}})
        return reply(200, {"payload": {"Orders": [{"AmazonOrderId": "A"}], "NextToken": "n/+="}})

    amazon.on("GET", "/orders/v0/orders", orders)
    found = client.iter_orders_v0(
        marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=NOW - timedelta(hours=2)
    )
    assert [order["AmazonOrderId"] for order in found] == ["A", "B"]
    page = client.get_orders(
        marketplace_ids=["ATVPDKIKX0DER"], last_updated_after=NOW - timedelta(hours=2)
    )
    assert page == {"Orders": [{"AmazonOrderId": "A"}], "NextToken": "n/+="}


def test_order_items_come_from_every_page(amazon: Amazon, client: SpApiClient) -> None:
    path = f"/orders/v0/orders/{ORDER}/orderItems"

    def items(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("NextToken") == "p2+/=":
            return items_page(ORDER, "3")
        return items_page(ORDER, "1", "2", next_token="p2+/=")

    amazon.on("GET", path, items)
    assert [item["OrderItemId"] for item in client.get_order_items(ORDER)] == ["1", "2", "3"]


def test_a_v0_answer_without_payload_is_malformed(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", f"/orders/v0/orders/{ORDER}/orderItems", reply(200, {"errors": []}))
    with pytest.raises(SpApiError, match="payload") as caught:
        client.get_order_items(ORDER)
    assert caught.value.order_id == ORDER


def test_order_items_buyer_info_uses_its_own_rdt(amazon: Amazon, client: SpApiClient) -> None:
    path = f"/orders/v0/orders/{ORDER}/orderItems/buyerInfo"
    amazon.on("GET", path, items_page(ORDER, "1"))
    assert len(client.get_order_items_buyer_info(ORDER)) == 1
    assert amazon.calls(path)[0].headers[ACCESS_TOKEN_HEADER] == "Atz.sprdt|RDT-1"
    wanted = amazon.rdt_bodies[0]["restrictedResources"][0]
    assert wanted == {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems/buyerInfo"}


# Shipment confirmation


def package(**changes: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "packageReferenceId": "1",
        "carrierCode": "UPS",
        "trackingNumber": "1Z999",
        "shipDate": "2026-03-02T10:00:00Z",
        "orderItems": [{"orderItemId": "79039765272157", "quantity": 1}],
    }
    detail.update(changes)
    return {key: value for key, value in detail.items() if value is not None}


def test_confirm_shipment_posts_the_package_and_takes_the_204(
    amazon: Amazon, client: SpApiClient
) -> None:
    path = f"/orders/v0/orders/{ORDER}/shipmentConfirmation"
    amazon.on("POST", path, reply(204))
    client.confirm_shipment(ORDER, marketplace_id="ATVPDKIKX0DER", package_detail=package())
    sent = amazon.calls(path)[0]
    assert json.loads(sent.content) == {
        "marketplaceId": "ATVPDKIKX0DER",
        "packageDetail": package(),
    }
    assert sent.headers[ACCESS_TOKEN_HEADER] == "Atza|ACCESS-1"


def test_confirm_shipment_400_carries_amazons_message(amazon: Amazon, client: SpApiClient) -> None:
    path = f"/orders/v0/orders/{ORDER}/shipmentConfirmation"
    refusal = "The order has already been fulfilled"
    amazon.on("POST", path, errors(400, "InvalidInput", refusal, "req-ship"))
    with pytest.raises(InvalidInputError) as caught:
        client.confirm_shipment(ORDER, marketplace_id="ATVPDKIKX0DER", package_detail=package())
    assert refusal in caught.value.message
    assert caught.value.status == 400
    assert caught.value.order_id == ORDER
    assert str(caught.value).startswith(f"order {ORDER}: ")
    assert len(amazon.calls(path)) == 1


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"packageReferenceId": "A1"}, "positive number"),
        ({"packageReferenceId": "0"}, "positive number"),
        ({"packageReferenceId": "-1"}, "positive number"),
        ({"packageReferenceId": "1.5"}, "positive number"),
        ({"packageReferenceId": 1}, "packageReferenceId is required"),
        ({"trackingNumber": None}, "trackingNumber is required"),
        ({"carrierCode": "Other"}, "carrierName is required"),
        ({"shipDate": "02/21/2022"}, "ISO 8601"),
        ({"orderItems": []}, "at least one item"),
        ({"orderItems": [{"orderItemId": "1", "quantity": 0}]}, "positive whole number"),
        ({"orderItems": [{"quantity": 1}]}, "orderItemId is required"),
    ],
)
def test_confirm_shipment_refuses_what_the_model_forbids(
    amazon: Amazon, client: SpApiClient, changes: dict[str, Any], complaint: str
) -> None:
    with pytest.raises(RequestValidationError, match=complaint) as caught:
        client.confirm_shipment(ORDER, marketplace_id="M", package_detail=package(**changes))
    assert caught.value.order_id == ORDER
    assert amazon.requests == []


# Order windows


@pytest.mark.parametrize(
    ("window", "complaint"),
    [
        ({}, "exactly one"),
        (
            {"created_after": NOW - timedelta(1), "last_updated_after": NOW - timedelta(1)},
            "exactly one",
        ),
        (
            {
                "last_updated_after": NOW - timedelta(1),
                "last_updated_before": NOW - timedelta(seconds=119),
            },
            "2 minutes",
        ),
        ({"created_after": NOW - timedelta(1), "created_before": NOW}, "2 minutes"),
        (
            {"created_after": NOW - timedelta(1), "last_updated_before": NOW - timedelta(1)},
            "cannot be combined",
        ),
        (
            {
                "last_updated_after": NOW - timedelta(hours=1),
                "last_updated_before": NOW - timedelta(hours=2),
            },
            "not be earlier",
        ),
        ({"last_updated_after": datetime(2026, 3, 1)}, "time zone"),
        ({"last_updated_after": NOW, "max_results": 101}, "between 1 and 100"),
        ({"last_updated_after": NOW, "marketplace_ids": []}, "marketplace_ids"),
    ],
)
def test_order_searches_the_models_forbid_are_not_sent(
    amazon: Amazon, client: SpApiClient, window: dict[str, Any], complaint: str
) -> None:
    query = {"marketplace_ids": ["M"], **window}
    with pytest.raises(RequestValidationError, match=complaint):
        client.search_orders(**query)
    with pytest.raises(RequestValidationError, match=complaint):
        client.get_orders(**query)
    assert amazon.requests == []


def test_a_before_date_exactly_two_minutes_old_is_accepted(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", "/orders/2026-01-01/orders", reply(200, {"orders": []}))
    latest = latest_allowed_before(NOW)
    assert latest == NOW - timedelta(minutes=2)
    client.search_orders(
        marketplace_ids=["M"], last_updated_after=NOW - timedelta(1), last_updated_before=latest
    )
    assert amazon.requests[-1].url.params["lastUpdatedBefore"] == "2026-03-02T11:58:00Z"


# Reports


def test_a_restricted_gzip_report_is_created_found_and_downloaded(
    amazon: Amazon, client: SpApiClient
) -> None:
    document_id = "amzn1.tortuga.3.doc"
    signed = "https://tortuga.test/doc.gz?X-Amz-Signature=abc"
    contents = b"order-id\torder-item-id\tcustomized-url\n" * 50
    amazon.on("POST", "/reports/2021-06-30/reports", reply(202, {"reportId": "R1"}))
    amazon.on(
        "GET",
        "/reports/2021-06-30/reports/R1",
        reply(200, {"reportId": "R1", "processingStatus": "DONE", "reportDocumentId": document_id}),
    )
    amazon.on(
        "GET",
        f"/reports/2021-06-30/documents/{document_id}",
        reply(
            200, {"reportDocumentId": document_id, "url": signed, "compressionAlgorithm": "GZIP"}
        ),
    )
    amazon.on("GET", "/doc.gz", reply(200, gzip.compress(contents)))

    report_type = "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING"
    report_id = client.create_report(
        report_type, ["ATVPDKIKX0DER"], data_start_time=NOW - timedelta(days=3)
    )
    assert report_id == "R1"
    assert json.loads(amazon.requests[-1].content) == {
        "reportType": report_type,
        "marketplaceIds": ["ATVPDKIKX0DER"],
        "dataStartTime": "2026-02-27T12:00:00Z",
    }
    report = client.get_report(report_id)
    document = client.get_report_document(report["reportDocumentId"])
    assert client.download_report_document(document) == contents

    assert amazon.rdt_bodies == [
        {
            "restrictedResources": [
                {"method": "GET", "path": f"/reports/2021-06-30/documents/{document_id}"}
            ]
        }
    ]
    fetched = amazon.calls("/doc.gz")[0]
    assert ACCESS_TOKEN_HEADER not in fetched.headers
    assert fetched.url.params["X-Amz-Signature"] == "abc"


def test_an_unrestricted_report_document_uses_the_access_token(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", "/reports/2021-06-30/documents/D", reply(200, {"url": "https://t.test/x"}))
    client.get_report_document("D", restricted=False)
    assert amazon.rdts == []
    assert amazon.requests[-1].headers[ACCESS_TOKEN_HEADER] == "Atza|ACCESS-1"


def test_a_report_start_in_the_future_is_refused(amazon: Amazon, client: SpApiClient) -> None:
    with pytest.raises(RequestValidationError, match="future"):
        client.create_report("T", ["M"], data_start_time=NOW + timedelta(minutes=1))
    assert amazon.requests == []


def test_gunzip_reads_every_member_and_stops_at_the_limit() -> None:
    data = gzip.compress(b"a" * 10) + gzip.compress(b"b" * 5)
    assert gunzip(data, max_bytes=15) == b"a" * 10 + b"b" * 5
    with pytest.raises(DownloadTooLargeError):
        gunzip(gzip.compress(b"\0" * 1_000_000), max_bytes=1000)
    with pytest.raises(DownloadError, match="cut short"):
        gunzip(gzip.compress(b"x" * 100)[:-12], max_bytes=1000)
    with pytest.raises(DownloadError, match="not gzip"):
        gunzip(b"plain text", max_bytes=1000)


# Customization zips


def test_a_zip_download_carries_no_token_and_is_retried_on_5xx(
    amazon: Amazon, clock: Clock, client: SpApiClient
) -> None:
    amazon.on(
        "GET",
        "/custom/z.zip",
        reply(502, b"bad gateway"),
        httpx.ReadTimeout("slow"),
        reply(200, b"PK\x03\x04zip"),
    )
    assert (
        client.download("https://zme-caps.test/custom/z.zip?sig=1", max_bytes=100)
        == b"PK\x03\x04zip"
    )
    assert len(amazon.calls("/custom/z.zip")) == 3
    assert all(ACCESS_TOKEN_HEADER not in r.headers for r in amazon.requests)
    assert amazon.access_tokens == []  # no token was even asked for
    assert len(clock.sleeps) == 2


def test_a_zip_download_stops_past_its_size_limit(amazon: Amazon, client: SpApiClient) -> None:
    produced: list[int] = []

    def chunks() -> Iterator[bytes]:
        for number in range(100):
            produced.append(number)
            yield b"x" * 1000

    amazon.on("GET", "/big.zip", lambda request: httpx.Response(200, content=chunks()))
    with pytest.raises(DownloadTooLargeError, match="larger than 2500 bytes"):
        client.download("https://zips.test/big.zip", max_bytes=2500)
    assert len(produced) <= 4
    assert len(amazon.calls("/big.zip")) == 1  # too large is not retried


def test_a_declared_length_past_the_limit_is_refused_before_reading(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", "/big.zip", reply(200, b"x" * 5000))
    with pytest.raises(DownloadTooLargeError):
        client.download("https://zips.test/big.zip", max_bytes=4999)


def test_a_failed_download_names_the_host_but_not_the_signed_query(
    amazon: Amazon, client: SpApiClient
) -> None:
    amazon.on("GET", "/custom/z.zip", reply(403, b"<Error>expired</Error>"))
    with pytest.raises(DownloadError) as caught:
        client.download("https://zme-caps.test/custom/z.zip?X-Amz-Signature=SIG", max_bytes=10)
    assert "zme-caps.test" in str(caught.value)
    assert "SIG" not in str(caught.value) and "z.zip" not in str(caught.value)
    assert caught.value.status == 403


@pytest.mark.parametrize(
    "url", ["http://zips.test/z.zip", "file:///etc/passwd", "ftp://zips.test/z", "https:///z"]
)
def test_downloads_only_go_to_https_or_this_machine(
    amazon: Amazon, client: SpApiClient, url: str
) -> None:
    with pytest.raises(DownloadError, match="https://"):
        client.download(url, max_bytes=10)
    assert amazon.requests == []


def test_plain_http_to_the_local_simulator_is_allowed(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", "/z.zip", reply(200, b"zip"))
    assert client.download("http://127.0.0.1:8765/z.zip", max_bytes=10) == b"zip"


# No secrets anywhere


def test_no_error_message_shows_a_secret_or_token(amazon: Amazon, clock: Clock) -> None:
    amazon.on(
        "GET",
        f"/orders/v0/orders/{ORDER}/orderItems",
        reply(403, {"errors": [EXPIRED]}),
    )
    amazon.on("GET", order_path(), errors(400, "InvalidInput", "bad"))
    with connect(amazon, clock, max_attempts=2) as client:
        raised: list[Exception] = []
        for call in (lambda: client.get_order_items(ORDER), lambda: client.get_order(ORDER)):
            with pytest.raises(AmazonError) as caught:
                call()
            raised.append(caught.value)
        for error in raised:
            no_secrets(str(error))
            no_secrets(repr(error))
            no_secrets(repr(vars(error)))


# Threads and construction


def test_threads_share_one_access_token_and_one_rdt(amazon: Amazon, client: SpApiClient) -> None:
    amazon.on("GET", order_path(), an_order())
    amazon.on("GET", f"/orders/v0/orders/{ORDER}/orderItems", items_page(ORDER, "1"))
    failures: list[BaseException] = []

    def work() -> None:
        try:
            client.get_order(ORDER)
            client.get_order_items(ORDER)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert amazon.access_tokens == ["Atza|ACCESS-1"]
    assert amazon.rdts == ["Atz.sprdt|RDT-1"]


def test_a_client_is_made_from_the_shop_settings_and_closes(amazon: Amazon) -> None:
    settings = AmazonSettings(endpoint=SP, lwa_endpoint=LWA, marketplace_ids=("ATVPDKIKX0DER",))
    amazon.on("GET", order_path(), an_order())
    with SpApiClient.from_settings(
        settings, CREDENTIALS, transport=httpx.MockTransport(amazon.handler)
    ) as client:
        assert client.get_order(ORDER) == {"orderId": ORDER}
    assert amazon.requests[-1].url.host == "sellingpartnerapi.test"
    with pytest.raises(RuntimeError):
        client.get_order(ORDER)  # closed
