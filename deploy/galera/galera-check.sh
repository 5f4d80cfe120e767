#!/bin/sh
# HAProxy's Galera-aware check (external-check): the member is in rotation only while it is Synced and in the Primary
# component. HAProxy passes the server's address and port in HAPROXY_SERVER_ADDR and HAPROXY_SERVER_PORT; the check
# user needs no privilege (USAGE) and, here, no password: GALERA_CHECK_USER names it.
status=$(mariadb --no-defaults --connect-timeout=2 -h "$HAPROXY_SERVER_ADDR" -P "$HAPROXY_SERVER_PORT" \
  -u "${GALERA_CHECK_USER:-root}" -N -B \
  -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_local_state_comment')" 2>/dev/null) || exit 1
echo "$status" | grep -q 'wsrep_cluster_status[[:space:]]*Primary' || exit 1
echo "$status" | grep -q 'wsrep_local_state_comment[[:space:]]*Synced' || exit 1
exit 0
