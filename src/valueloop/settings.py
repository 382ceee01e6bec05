"""Workspace settings: ``valueloop.toml`` overlaid by ``VALUELOOP_*`` environment variables.

A workspace is a folder; its ``valueloop.toml`` says where the lake and the app
database live and which time zone periods are cut in. Environment variables win
(``VALUELOOP_DATABASE__URL=postgresql+psycopg://...``) so a server can be pointed at a
team database without editing files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

SETTINGS_FILE = "valueloop.toml"


class WorkspaceSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = "valueloop"
    timezone: str = "Asia/Shanghai"
    language: Literal["zh", "en"] = "zh"
    template: str = "three-dimension"


class DatabaseSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    url: str = "sqlite:///valueloop.db"
    """SQLAlchemy URL; a relative SQLite path is relative to the workspace folder."""


class LakeSection(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    path: str = "lake"
    warehouse: Literal["duckdb", "pyspark"] = "duckdb"


class _EnvOverrides(EnvSettingsSource):
    """``VALUELOOP_*`` variables, except that ``VALUELOOP_WORKSPACE`` names the workspace folder
    (the CLI reads it), not the ``[workspace]`` section: that section takes only nested variables
    such as ``VALUELOOP_WORKSPACE__TIMEZONE``."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        value, key, complex_ = super().get_field_value(field, field_name)
        if field_name == "workspace":
            return None, key, complex_
        return value, key, complex_


class Settings(BaseSettings):
    """Everything configurable about one workspace."""

    model_config = SettingsConfigDict(env_prefix="VALUELOOP_", env_nested_delimiter="__", extra="ignore", frozen=True)
    workspace: WorkspaceSection = WorkspaceSection()
    database: DatabaseSection = DatabaseSection()
    lake: LakeSection = LakeSection()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (_EnvOverrides(settings_cls), init_settings)


def load_settings(root: Path) -> Settings:
    """Read ``root/valueloop.toml`` and apply environment overrides."""
    data: dict[str, Any] = tomllib.loads((root / SETTINGS_FILE).read_text(encoding="utf-8"))
    return Settings(**data)
