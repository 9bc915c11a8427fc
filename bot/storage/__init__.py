"""Storage: SQLAlchemy 2.0 async models, repositories, unit of work, Alembic migrations."""

from bot.storage.db import Database
from bot.storage.uow import UnitOfWork

__all__ = ["Database", "UnitOfWork"]
