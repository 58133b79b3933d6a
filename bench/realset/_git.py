"""Reading files out of local git mirrors of the source repositories (no work tree needed)."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

MIRROR_ROOT = Path(os.environ.get("REALSET_MIRRORS", "/work/.mirror"))


def git_dir(repo: str, root: Path = MIRROR_ROOT) -> Path:
    """The git directory of ``owner/name``'s mirror: <root>/owner+name/repo (bare or with .git)."""
    base = root / repo.replace("/", "+") / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def list_files(repo: str, commit: str, prefix: str = "", root: Path = MIRROR_ROOT) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(git_dir(repo, root)), "ls-tree", "-r", "--name-only",
                          commit, "--", prefix] if prefix else
                         ["git", "--git-dir", str(git_dir(repo, root)), "ls-tree", "-r", "--name-only", commit],
                         check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def read_blob(repo: str, commit: str, path: str, root: Path = MIRROR_ROOT) -> bytes:
    """The bytes of ``path`` at ``commit``; ``archive.zip!member`` reads a member of a committed zip."""
    if "!" in path:
        archive, member = path.split("!", 1)
        with zipfile.ZipFile(io.BytesIO(read_blob(repo, commit, archive, root))) as z:
            return z.read(member)
    return subprocess.run(["git", "--git-dir", str(git_dir(repo, root)), "show", f"{commit}:{path}"],
                          check=True, capture_output=True).stdout
