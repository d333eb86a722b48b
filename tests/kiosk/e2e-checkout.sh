#!/bin/sh
# e2e-checkout.sh — the real canteen-kiosk binary, driven over D-Bus.
#
# usage: e2e-checkout.sh KIOSK MAKE-LEDGER OUTDIR
# Starts the kiosk on a private session bus and X server, drives a checkout
# and a decline with `gapplication action`, saves screenshots to OUTDIR
# (kiosk-order.png, kiosk-checkout.png, kiosk-declined.png), and checks the
# PNGs and the ledger's `checkouts` table. Then starts it again as
# `./canteen demo` does without devices (--demo --emulate-devices: the
# binary re-executes itself with libumockdev-preload) and pays with a card
# tapped on the emulated reader (kiosk-emulated-paid.png). Prints TAP.
# Never waits without a bound: every poll has a deadline and the whole run
# has a timeout.
set -u

if [ "${CANTEEN_E2E_INNER:-}" != 1 ]; then
  export CANTEEN_E2E_INNER=1
  exec timeout -k 5 80 dbus-run-session -- \
    xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

KIOSK=$1
MAKE_LEDGER=$2
OUTDIR=$3
APP=cn.gov.canteen.Kiosk
OBJ=/cn/gov/canteen/Kiosk

WORK=$(mktemp -d "${TMPDIR:-/tmp}/canteen-e2e-XXXXXX")
DB=$WORK/ledger.db
KIOSK_PID=
n=0
failed=0

cleanup() {
  if [ -n "$KIOSK_PID" ] && kill -0 "$KIOSK_PID" 2>/dev/null; then
    kill "$KIOSK_PID" 2>/dev/null
    wait "$KIOSK_PID" 2>/dev/null
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ok()   { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { desc=$1; shift; if "$@"; then ok "$desc"; else fail "$desc"; fi; }
bail() {
  echo "Bail out! $1"
  [ -f "$WORK/kiosk.log" ] && sed 's/^/# kiosk: /' "$WORK/kiosk.log"
  exit 1
}

# `gapplication action` returns once the call is queued; state is polled.
action() { gapplication action "$APP" "$@"; }

page() {
  gdbus call --session --dest "$APP" --object-path "$OBJ" \
    --method org.gtk.Actions.Describe page 2>/dev/null | sed -n "s/.*\[<'\([a-z]*\)'>\].*/\1/p"
}

# wait_until SECONDS COMMAND...: polls every 0.1 s.
wait_until() {
  limit=$(( $1 * 10 )); shift
  i=0
  while [ $i -lt "$limit" ]; do
    "$@" && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

page_is() { [ "$(page)" = "$1" ]; }
file_ready() { [ -s "$1" ]; }
bus_owned() {
  gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.NameHasOwner "$APP" 2>/dev/null | grep -q true
}

# PNG signature and the IHDR width/height (big-endian, bytes 17..24).
png_size() {
  sig=$(od -An -c -j1 -N3 "$1" | tr -d ' ')
  [ "$sig" = PNG ] || return 1
  od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d\n", $1*16777216+$2*65536+$3*256+$4, $5*16777216+$6*65536+$7*256+$8 }'
}

png_ok() {
  [ -f "$1" ] || return 1
  bytes=$(wc -c < "$1")
  size=$(png_size "$1") || return 1
  echo "# $1: $size, $bytes bytes"
  [ "$size" = 1280x800 ] && [ "$bytes" -gt 20000 ]
}

screenshot() {
  rm -f "$OUTDIR/$1"
  action screenshot "'$OUTDIR/$1'"
  wait_until 10 file_ready "$OUTDIR/$1"
  sleep 0.2   # the file is written in one go, but let it close
}

sql() { sqlite3 -batch -noheader "$DB" "$1"; }

echo "1..18"

"$MAKE_LEDGER" "$DB" || bail "cannot create the test ledger"
mkdir -p "$OUTDIR"

"$KIOSK" --db "$DB" --windowed --demo > "$WORK/kiosk.log" 2>&1 &
KIOSK_PID=$!
wait_until 20 bus_owned || bail "the kiosk did not take the bus name $APP"
wait_until 10 page_is order || bail "the kiosk did not report its page"
ok "kiosk started and owns $APP"

action add-dish "'D01'"
action add-dish "'D03'"
action add-dish "'D07'"
sleep 0.3
screenshot kiosk-order.png
check "order page screenshot is a 1280x800 PNG" png_ok "$OUTDIR/kiosk-order.png"

action pay
check "Pay opens the tap page" wait_until 10 page_is tap

action tap-card "'C1001'"
check "a card tap reaches the result page" wait_until 15 page_is result
screenshot kiosk-checkout.png
check "result page screenshot is a 1280x800 PNG" png_ok "$OUTDIR/kiosk-checkout.png"

check "one checkout in the ledger" [ "$(sql 'SELECT count(*) FROM checkouts')" = 1 ]
check "the card paid ¥20.50 (12.00 + 1.00 + 300 g at 2.50/100 g)" \
  [ "$(sql "SELECT charged_fen FROM checkouts WHERE card = 'C1001'")" = 2050 ]
check "the account's balance went down by exactly that" \
  [ "$(sql "SELECT balance_fen FROM accounts WHERE card = 'C1001'")" = 7950 ]

action done
wait_until 10 page_is order
action add-dish "'D01'"
action tap-card "'C1002'"
check "a poor card is declined" wait_until 15 page_is declined
screenshot kiosk-declined.png
check "declined page screenshot is a 1280x800 PNG" png_ok "$OUTDIR/kiosk-declined.png"
check "the decline wrote no checkout and took no money" \
  [ "$(sql "SELECT count(*) || ':' || (SELECT balance_fen FROM accounts WHERE card = 'C1002') FROM checkouts")" = "1:500" ]

action quit
if wait_until 10 sh -c "! kill -0 $KIOSK_PID 2>/dev/null"; then
  wait "$KIOSK_PID"
  rc=$?
  KIOSK_PID=
  check "app.quit ends the kiosk cleanly" [ "$rc" = 0 ]
else
  fail "app.quit ends the kiosk cleanly"
fi

# The demo with emulated devices: a chip card (赵强, 04A1B2C3, ¥50.00) is
# tapped on the emulated reader and read by the real driver.
"$KIOSK" --db "$DB" --windowed --demo --emulate-devices > "$WORK/kiosk-emulated.log" 2>&1 &
KIOSK_PID=$!
if wait_until 20 bus_owned && wait_until 10 page_is order; then
  ok "the kiosk starts with --demo --emulate-devices"
else
  fail "the kiosk starts with --demo --emulate-devices"
fi
action add-dish "'D03'"
action pay
wait_until 10 page_is tap
sleep 0.5   # the emulated devices are opened on the first iterations
action demo-tap "'04A1B2C3'"
check "a tap on the emulated reader reaches the result page" wait_until 15 page_is result
screenshot kiosk-emulated-paid.png
check "emulated result page screenshot is a 1280x800 PNG" png_ok "$OUTDIR/kiosk-emulated-paid.png"
check "the chip card paid ¥1.00, once" \
  [ "$(sql "SELECT count(*) || ':' || (SELECT balance_fen FROM accounts WHERE card = '04A1B2C3') FROM checkouts WHERE card = '04A1B2C3'")" = "1:4900" ]
check "the emulated devices started (nothing logged about USB)" \
  sh -c "! grep -q -e 'no USB devices' -e 'emulated devices:' '$WORK/kiosk-emulated.log'"
action quit
if wait_until 10 sh -c "! kill -0 $KIOSK_PID 2>/dev/null"; then
  wait "$KIOSK_PID"
  rc=$?
  KIOSK_PID=
  check "app.quit ends the emulated kiosk cleanly" [ "$rc" = 0 ]
else
  fail "app.quit ends the emulated kiosk cleanly"
fi

if [ $failed -gt 0 ]; then
  sed 's/^/# kiosk: /' "$WORK/kiosk.log"
  [ -f "$WORK/kiosk-emulated.log" ] && grep -v DEBUG "$WORK/kiosk-emulated.log" | sed 's/^/# kiosk (emulated): /'
  exit 1
fi
exit 0
