#!/usr/bin/env bash
# Browser tests drive Debian's Chromium. Install it where we can (root with apt); otherwise the
# browser tests skip with a reason locally, and fail in CI (CI=true), where they are required.
set -u
# Chinese pages need a CJK font, or Chromium draws empty boxes.
if command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "wqy\|cjk"; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests..."
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null) \
    || echo "could not install chromium; browser tests will skip (or fail in CI)"
else
  echo "chromium not found and cannot be installed here; browser tests will skip (or fail in CI)"
fi
exit 0
