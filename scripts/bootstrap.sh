#!/usr/bin/env bash
# Brings a fresh Debian/Ubuntu machine to the point where the station runs:
# system libraries (Qt, OpenCV, Chinese fonts), a virtual environment in .venv
# and the Python dependencies. Quick and silent when everything is there.
#   scripts/bootstrap.sh            what the station needs
#   scripts/bootstrap.sh --test     also what the tests need (Xvfb, gphoto2 CLI, PostgreSQL)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WANT_TEST=0
WANT_SITE=0
[[ "${1:-}" == "--test" ]] && WANT_TEST=1
[[ "${1:-}" == "--site" ]] && WANT_SITE=1  # the laptop that holds the site database (PostgreSQL)

say() { printf '[setup] %s\n' "$*" >&2; }

# Another updater (unattended-upgrades, a software centre, a second apt-get) holds
# apt's or dpkg's lock: wait for it, saying so, instead of failing with apt's error.
# apt and dpkg take fcntl locks, so the test is an fcntl (lockf) attempt, not flock(1).
APT_LOCK_WAIT="${STATION_APT_LOCK_WAIT:-600}"   # seconds
APT_LOCK_FILES="${STATION_APT_LOCK_FILES:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}"
apt_lock_held() {  # $1: sudo or ""; prints the first held lock file
  $1 python3 - $APT_LOCK_FILES <<'PYEOF'
import fcntl, os, sys
for path in sys.argv[1:]:
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        continue
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        print(path)
        sys.exit(0)
    finally:
        os.close(fd)
sys.exit(1)
PYEOF
}
wait_for_apt_lock() {  # $1: sudo or ""
  local waited=0 held
  while held="$(apt_lock_held "$1")"; do
    if (( waited == 0 )); then
      say "another package manager is running (lock $held held): waiting up to ${APT_LOCK_WAIT}s for it to finish"
    fi
    if (( waited >= APT_LOCK_WAIT )); then
      say "gave up after ${APT_LOCK_WAIT}s: $held is still held. Let the other update finish (or reboot), then run this again."
      return 1
    fi
    sleep 2; waited=$(( waited + 2 ))
    (( waited % 30 == 0 )) && say "still waiting for $held (${waited}s)"
  done
  (( waited > 0 )) && say "the lock is free after ${waited}s: going on"
  return 0
}
[[ "${1:-}" == "--wait-apt-lock-only" ]] && { wait_for_apt_lock ""; exit $?; }

# --- system packages --------------------------------------------------------
# Qt 6 (xcb and offscreen), OpenCV's libGL, fonts with Chinese glyphs (TrueType
# outlines, so PDFs can embed them).
PKGS=(libgl1 libegl1 libglib2.0-0 libfontconfig1 libdbus-1-3 libxkbcommon0 libxkbcommon-x11-0
      libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
      libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libxcb-xkb1 libxcb-xfixes0
      fonts-wqy-microhei)
if (( WANT_TEST )); then
  # Xvfb: one start on a real X server; gphoto2: the benchmark's reference tool;
  # postgresql: the database tests that must also pass on a site server.
  PKGS+=(xvfb xauth gphoto2 postgresql p7zip-full)
fi
(( WANT_SITE )) && PKGS+=(postgresql)
if command -v dpkg-query >/dev/null 2>&1; then
  missing=()
  for p in "${PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if (( ${#missing[@]} )); then
    if [[ $(id -u) -eq 0 ]]; then SUDO=""; elif sudo -n true 2>/dev/null; then SUDO="sudo"; else SUDO="none"; fi
    if [[ "$SUDO" == "none" ]]; then
      say "missing system packages: ${missing[*]}"
      say "install them with: sudo apt-get install -y ${missing[*]}"
      exit 1
    fi
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    wait_for_apt_lock "$SUDO" || exit 1
    $SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" update -qq >/dev/null
    $SUDO apt-get -o DPkg::Lock::Timeout="$APT_LOCK_WAIT" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  say "not a Debian/Ubuntu system: make sure Qt's xcb libraries, libGL and a Chinese font are installed"
fi

# --- Python -----------------------------------------------------------------
PY=""
for cand in python3.12 python3.11 python3.10 python3; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(not ((3,10) <= sys.version_info[:2] <= (3,12)))' 2>/dev/null; then
    PY="$cand"; break
  fi
done
if [[ -z "$PY" ]]; then
  say "needs Python 3.10, 3.11 or 3.12 (mediapipe 0.10.21 has wheels for those only)"
  exit 1
fi
if [[ ! -x .venv/bin/python ]]; then
  say "creating .venv with $PY"
  "$PY" -m venv .venv || { say "python venv failed: apt-get install python3-venv"; exit 1; }
fi
EXTRAS=""
(( WANT_TEST )) && EXTRAS="[test]"
# The stamp holds one line per set of extras installed for this pyproject.toml and
# Python: the test set includes the plain one, so ./station after ./station-tests
# (and back) does not run pip again.
STAMP=".venv/.setup-stamp"
base="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)-$(.venv/bin/python -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
want="$base$EXTRAS"
satisfied=0
if [[ -f "$STAMP" ]]; then
  grep -qxF "$want" "$STAMP" && satisfied=1
  [[ -z "$EXTRAS" ]] && grep -qxF "$base[test]" "$STAMP" && satisfied=1
fi
if (( ! satisfied )); then
  say "installing Python dependencies (first run takes a few minutes)"
  LOG=".venv/pip-install.log"
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
         .venv/bin/python -m pip install --disable-pip-version-check -e ".$EXTRAS"; } >"$LOG" 2>&1; then
    tail -n 30 "$LOG" >&2
    say "pip install failed (full log: $LOG)"
    exit 1
  fi
  # Two cv2 distributions overwrite each other: mediapipe brings opencv-contrib-python.
  if .venv/bin/python -m pip show -q opencv-python >/dev/null 2>&1; then
    say "removing opencv-python (mediapipe's opencv-contrib-python is the one cv2)"
    .venv/bin/python -m pip uninstall -y -q opencv-python
    .venv/bin/python -m pip install -q --force-reinstall --no-deps "opencv-contrib-python<4.12"
  fi
  if [[ -n "$EXTRAS" ]]; then printf '%s\n%s\n' "$want" "$base" > "$STAMP"; else echo "$want" > "$STAMP"; fi
fi
