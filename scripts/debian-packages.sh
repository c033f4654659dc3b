#!/bin/sh
# Install the Debian packages named as arguments when any is missing.
# As root it installs them; otherwise it prints the one apt-get line and stops.
missing=""
for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    echo "Installing Debian packages:$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
else
    echo "These Debian packages are missing. Install them, then run make again:"
    echo "    sudo apt-get install -y$missing"
    exit 1
fi
