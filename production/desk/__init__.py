"""The shipping desk web page: ready orders, proofs, scanning, shipment confirmation."""

from production.desk.app import Desk, create_desk_app
from production.desk.service import DeskService
from production.desk.sessions import PASSWORD_VARIABLE, Sessions, password_from_environment

__all__ = [
    "PASSWORD_VARIABLE",
    "Desk",
    "DeskService",
    "Sessions",
    "create_desk_app",
    "password_from_environment",
]
