#!/usr/bin/env bash
# perfdb load --url https:// end to end, on loopback only: a throwaway CA and
# a certificate for localhost made at test time, served by openssl s_server
# (tests/progs/tls_server.sh). A build without TLS must refuse https:// with
# one line.
. "$(dirname "$0")/lib.sh"

json_num() {
	sed -n "s/^ *\"$1\": \([-0-9.eE+]*\),\{0,1\}\$/\1/p" "$2" | head -n 1
}

# Port 1 refuses connections: a TLS build counts connect errors (exit 0), a
# build without TLS refuses the URL up front.
"$PERFDB" load --url "https://127.0.0.1:1/" -n 1 >"$T/out" 2>"$T/err"
rc=$?
if grep -q 'built without' "$T/err"; then
	expect_eq 2 "$rc" "https:// without TLS exits 2"
	expect_eq 1 "$(wc -l <"$T/err")" "one line"
	expect_match "^perfdb: url 'https://127.0.0.1:1/': https:// needs TLS, and this perfdb was built without it" err "without TLS"
	finish
	exit
fi
expect_eq 0 "$rc" "https:// with TLS: connect errors are a result"
expect_match '^  first connect error: 127\.0\.0\.1:1: cannot connect: Connection refused$' out "refused reason"

command -v openssl >/dev/null 2>&1 || skip "the openssl command is missing (Debian package openssl)"
mkdir tls
sh "$PERFDB_SOURCE_DIR/tests/progs/tls_server.sh" "$T/tls" || fail "tls_server.sh"
P=$(cat tls/port)
trap 'kill $(cat "$T/tls/pid") 2>/dev/null; rm -rf "$T"' EXIT

# trusted through --cacert: every request succeeds; s_server closes after
# each response, so each is a handshake, all but the first resumed
expect_exit 0 "$PERFDB" load --url "https://localhost:$P/" -n 4 --cacert tls/ca.pem --format json
cp out ok.json
expect_eq 4 "$(json_num successes ok.json)" "cacert successes"
expect_eq 4 "$(json_num status_2xx ok.json)" "cacert 2xx"
expect_eq 0 "$(json_num connect_errors ok.json)" "cacert connect errors"
expect_eq 4 "$(json_num connects ok.json)" "a connection per request"
expect_eq 3 "$(json_num tls_resumed ok.json)" "sessions resumed"
expect_no_match '"connect_error"' ok.json "no connect error reason"

# not trusted (the system's CAs): connect errors with the reason, once
expect_exit 0 "$PERFDB" load --url "https://localhost:$P/" -n 3
expect_match '^  requests   3 \(0 succeeded, 3 failed\)$' out "untrusted counts"
expect_match '^  status     1xx 0  2xx 0  3xx 0  4xx 0  5xx 0$' out "no status"
expect_match '^  transport  connect errors 3  timeouts 0' out "connect errors"
expect_match "^  first connect error: localhost:$P: TLS certificate verification failed: unable to get local issuer certificate\$" out "reason"
expect_eq 1 "$(grep -c 'connect error:' out)" "the reason is printed once"
expect_match '^  errors:  connect: 3$' out "errors by kind"
# another CA does not do either
expect_exit 0 "$PERFDB" load --url "https://localhost:$P/" -n 2 --cacert tls/other-ca.pem --format json
expect_eq 2 "$(json_num connect_errors out)" "other CA"
expect_match "\"connect_error\": \"localhost:$P: TLS certificate verification failed: unable to get local issuer certificate\"" out "json reason"
expect_eq 2 "$(grep -c "\"connect_error\": " out)" "the reason at the top and in the series"
# a trusted certificate for another name: localhost is not 127.0.0.1
expect_exit 0 "$PERFDB" load --url "https://127.0.0.1:$P/" -n 2 --cacert tls/ca.pem
expect_match "^  first connect error: 127\.0\.0\.1:$P: TLS certificate verification failed: IP address mismatch\$" out "name checked"

# --insecure: no verification at all
expect_exit 0 "$PERFDB" load --url "https://127.0.0.1:$P/" -n 3 --insecure
expect_match '^  requests   3 \(3 succeeded, 0 failed\)$' out "insecure"
expect_match '^  status     1xx 0  2xx 3 ' out "insecure 2xx"

# recorded: the connect errors as a metric of the series
expect_exit 0 "$PERFDB" load --url "https://localhost:$P/" -n 2 --name tls --record --db h.db --commit 1111111111111111111111111111111111111111
expect_eq "2" "$(sql h.db "SELECT value FROM history WHERE benchmark = 'tls' AND metric = 'connect_errors'" | tr -d '\r')" "connect errors recorded"

# a CA file that is not there: one line, exit 2
expect_exit 2 "$PERFDB" load --url "https://localhost:$P/" -n 1 --cacert no-such.pem
expect_match "^perfdb: ca file 'no-such.pem': No such file or directory$" err "missing CA file"
expect_eq 1 "$(wc -l <err)" "one line"

finish
