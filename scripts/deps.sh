#!/usr/bin/env bash
# Install what the portal needs on a Debian machine: system packages through
# apt (when root; otherwise print the exact command and stop), uv if missing,
# then the locked Python dependencies.  Usage: scripts/deps.sh [extra-packages...]
set -euo pipefail
cd "$(dirname "$0")/.."
export UV_PYTHON_DOWNLOADS=never

# fonts-noto-cjk + fontconfig + libharfbuzz-subset0: Chinese PDFs (fast font subsetting);
# chromium: browser tests; gettext: translation catalogue checks.
packages=(fonts-noto-cjk fontconfig libharfbuzz-subset0 poppler-utils chromium gettext "$@")
missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "Missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! command -v uv >/dev/null 2>&1; then
  echo "Installing uv into $(python --version)"
  python -m pip install --quiet uv
  hash -r
fi
uv sync --frozen --quiet
