"""YAML configuration -> one frozen Config (values.py), read and checked by load.py."""

from followthru.config.load import (
    default_config_path,
    default_store_path,
    load_config,
    parse_config,
)
from followthru.config.values import (
    Account,
    Approval,
    Cadence,
    Config,
    Dashboard,
    Detection,
    Folders,
    Identity,
    Jobs,
    Listen,
    Notify,
    Secret,
    SecretKind,
    SendWindow,
    Server,
    TlsMode,
    Watch,
    is_address,
    is_loopback,
    parse_listen,
)

__all__ = [
    "Account", "Approval", "Cadence", "Config", "Dashboard", "Detection", "Folders", "Identity",
    "Jobs", "Listen", "Notify", "Secret", "SecretKind", "SendWindow", "Server", "TlsMode", "Watch",
    "default_config_path", "default_store_path", "is_address", "is_loopback", "load_config",
    "parse_config", "parse_listen",
]  # fmt: skip
