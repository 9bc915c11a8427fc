"""Storage: SQLAlchemy 2.0 async models, repositories, unit of work, Alembic migrations."""

from bot.kernel.storage.db import Database
from bot.kernel.storage.uow import UnitOfWork

__all__ = ["Database", "UnitOfWork"]
