#!/usr/bin/env bash
# Tools the test suite drives besides the JDK, installed when missing and apt can install them:
#   aws  (Debian's awscli): StepFunctionsCliTest runs the AWS CLI against a running server.
#   chromium (Debian's chromium): DashboardBrowserTest loads /dashboard in headless Chromium.
# Without root or apt it only says what is missing; the tests that need a tool then fail and name
# it (they never skip). Safe to run again: installed tools are left alone.
set -uo pipefail

missing=()
command -v aws >/dev/null 2>&1 || missing+=(awscli)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
  echo "bulwark: installing test prerequisites: ${missing[*]} (apt-get) ..." >&2
  if $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2 \
    || { $sudo apt-get update -q >&2 \
      && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2; }; then
    exit 0
  fi
  echo "bulwark: apt-get could not install ${missing[*]}; the tests that need them will fail." >&2
  exit 0
fi
echo "bulwark: missing test prerequisites: ${missing[*]} (install them, e.g. apt-get install -y ${missing[*]});" \
  "the tests that need them will fail." >&2
exit 0
