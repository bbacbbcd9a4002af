#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Generate configure and the Makefile templates from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf -fi
# automake ships the TAP driver but does not install it by itself.
cp "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
chmod +x build-aux/tap-driver.sh
