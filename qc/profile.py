"""Check profiles: every threshold in a TOML file, validated strictly.

``qc/profiles/default.toml`` follows the centre's notice and defines the
complete set of keys: another profile (a name in ``qc/profiles/`` or a path)
starts with ``extends = "default"`` and overrides only what differs, e.g. a
blue background where white and blue tops are forbidden. A key the default
does not know, a value of the wrong type, or a section for a check that does
not exist is rejected with a message naming the file, the key and the
nearest known key (OFIQ silently ignores a misspelt key: a typo there
switches a threshold back to its default without telling anyone).
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qc.checks import CHECK_NAMES

PROFILES_DIR = Path(__file__).resolve().parent / "profiles"
DEFAULT_NAME = "default"
# Sections that are not checks.
ENGINE_SECTIONS = ("profile", "analysis", "crop", "evidence")


class ProfileError(ValueError):
    """The profile file is missing or invalid (message in Chinese and English)."""


@dataclass
class Profile:
    name: str
    path: Path
    data: dict[str, Any] = field(repr=False)

    @property
    def checks(self) -> list[str]:
        """The checks this profile runs, in order."""
        return list(self.data["profile"]["checks"])

    @property
    def description(self) -> str:
        return str(self.data["profile"].get("description", ""))

    def section(self, name: str) -> dict[str, Any]:
        return dict(self.data.get(name, {}))

    @property
    def analysis(self) -> dict[str, Any]:
        return self.section("analysis")

    @property
    def crop(self) -> dict[str, Any]:
        return self.section("crop")


def resolve_path(profile: str | Path | None) -> Path:
    if profile is None or str(profile) == "":
        return PROFILES_DIR / f"{DEFAULT_NAME}.toml"
    p = Path(profile)
    if p.suffix == ".toml" or p.exists() or "/" in str(profile) or "\\" in str(profile):
        if not p.exists():
            raise ProfileError(f"找不到检查配置文件: {p} / profile file not found: {p}")
        return p
    candidate = PROFILES_DIR / f"{profile}.toml"
    if not candidate.exists():
        known = ", ".join(sorted(x.stem for x in PROFILES_DIR.glob("*.toml")))
        raise ProfileError(f"没有名为 {profile} 的检查配置 / no profile named {profile!r} (known: {known})")
    return candidate


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"检查配置文件格式错误 / invalid TOML in {path}: {exc}") from None
    except OSError as exc:
        raise ProfileError(f"无法读取检查配置 / cannot read profile {path}: {exc}") from None


def load_profile(profile: str | Path | Profile | None = None) -> Profile:
    """Load and validate a profile by name or path (None: the default)."""
    if isinstance(profile, Profile):
        return profile
    path = resolve_path(profile)
    default_path = PROFILES_DIR / f"{DEFAULT_NAME}.toml"
    base = _read(default_path)
    _validate_default(base, default_path)
    if path.resolve() == default_path.resolve():
        return Profile(name=DEFAULT_NAME, path=path, data=base)
    own = _read(path)
    extends = own.pop("extends", DEFAULT_NAME)
    if extends != DEFAULT_NAME:
        parent = load_profile(extends)
        base = parent.data
    merged = _merge(base, own, path)
    _validate_checks_list(merged, path)
    name = merged.get("profile", {}).get("name") or path.stem
    return Profile(name=str(name), path=path, data=merged)


def _type_ok(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, list):
        if not isinstance(value, list):
            return False
        if default and all(isinstance(d, (int, float)) and not isinstance(d, bool) for d in default):
            # a numeric tuple (a range, a region): as many numbers, whole numbers where the default's are
            return len(value) == len(default) and all(_type_ok(d, v) for d, v in zip(default, value))
        return True
    return isinstance(value, type(default))


def _expected(default: Any) -> str:
    if isinstance(default, list) and default and all(type(d) in (int, float) for d in default):
        kind = "int" if all(type(d) is int for d in default) else "number"
        return f"list of {len(default)} {kind}"
    return type(default).__name__


def _near(key: str, known: list[str]) -> str:
    m = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; 是否想写 / did you mean {m[0]!r}?" if m else f"; 可用 / known: {', '.join(sorted(known))}"


def _merge(base: dict[str, Any], own: dict[str, Any], path: Path) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in base.items()}
    for section, values in own.items():
        if section not in base:
            raise ProfileError(f"{path}: 未知的配置段 / unknown section [{section}]{_near(section, list(base))}")
        if not isinstance(values, dict):
            raise ProfileError(f"{path}: [{section}] 应为配置段 / {section!r} must be a section")
        for key, value in values.items():
            if key not in base[section]:
                raise ProfileError(
                    f"{path}: [{section}] 未知的设置 / unknown key {key!r}{_near(key, list(base[section]))}"
                )
            if not _type_ok(base[section][key], value):
                raise ProfileError(
                    f"{path}: [{section}] {key} 类型错误 / wrong type: expected "
                    f"{_expected(base[section][key])}, got {type(value).__name__} ({value!r})"
                )
            out[section][key] = float(value) if isinstance(base[section][key], float) else value
    return out


def _validate_default(data: dict[str, Any], path: Path) -> None:
    for s in ENGINE_SECTIONS:
        if s not in data or not isinstance(data[s], dict):
            raise ProfileError(f"{path}: 缺少配置段 / missing section [{s}]")
    if "checks" not in data["profile"]:
        raise ProfileError(f"{path}: [profile] 缺少 checks / missing key 'checks'")
    _validate_checks_list(data, path)


def _validate_checks_list(data: dict[str, Any], path: Path) -> None:
    checks = data["profile"]["checks"]
    if not all(isinstance(c, str) for c in checks):
        raise ProfileError(f"{path}: [profile] checks 必须是名称列表 / must be a list of names")
    for c in checks:
        if c not in CHECK_NAMES:
            raise ProfileError(f"{path}: 未知的检查项 / unknown check {c!r}{_near(c, list(CHECK_NAMES))}")
    for section in data:
        if section not in ENGINE_SECTIONS and section != "extends" and section not in CHECK_NAMES:
            raise ProfileError(f"{path}: 未知的配置段 / unknown section [{section}]{_near(section, list(CHECK_NAMES))}")
