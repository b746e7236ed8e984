#!/bin/sh
# tls_server.sh DIR: a throwaway TLS server on loopback for the https://
# tests of perfdb load --url (tests/lib/test_http.c, tests/cli/test_load_tls.sh).
#
# Makes in DIR, with the openssl command, a CA (ca.pem) and a server
# certificate it signed for the name localhost only (server.pem, server.key;
# no IP address in it, so https://127.0.0.1 fails the name check), and a CA
# that signed nothing here (other-ca.pem). Then starts
# `openssl s_server -www` on 127.0.0.1 and an ephemeral port, in the
# background for at most 120 s, and writes DIR/port and DIR/pid (the pid to
# stop it with SIGTERM). s_server -www answers every GET with a status page
# in HTTP/1.0 and closes: each request is a new connection and a handshake.
# Exit 0 once the server accepts, 1 otherwise.
set -eu
dir=$1
cd "$dir"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $ec -days 2 -subj "/CN=perfdb test CA" -keyout ca.key -out ca.pem 2>/dev/null
openssl req -x509 $ec -days 2 -subj "/CN=perfdb other CA" -keyout other-ca.key \
	-out other-ca.pem 2>/dev/null
openssl req $ec -subj "/CN=localhost" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
	>server.ext
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
	-extfile server.ext -out server.pem 2>/dev/null
# the log exists before the server starts: the redirection below happens in
# the background child, and the first sed may run before it
: >server.out
timeout 120 openssl s_server -accept 127.0.0.1:0 -cert server.pem -key server.key -www \
	>server.out 2>&1 </dev/null &
echo $! >pid
i=0
while [ $i -lt 300 ]; do
	port=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' server.out)
	if [ -n "$port" ]; then
		echo "$port" >port
		exit 0
	fi
	sleep 0.01
	i=$((i + 1))
done
exit 1
