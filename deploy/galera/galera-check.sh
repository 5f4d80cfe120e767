#!/bin/sh
# HAProxy's Galera-aware check (external-check): a member is in rotation only while it is Synced and in the Primary
# component; a member that is partitioned, joining or donating a snapshot is taken out. HAProxy passes the server's
# address and port in HAPROXY_SERVER_ADDR and HAPROXY_SERVER_PORT. It logs in as haproxy_check, a user without
# password or privilege (deploy/galera/init.sql), reachable only from the proxy's network; HAProxy does not hand its
# own environment to the check, so GALERA_CHECK_USER and GALERA_CHECK_PASSWORD apply only when run by hand or by a
# wrapper. Needs the mariadb (or mysql) client.
client=$(command -v mariadb || command -v mysql) || exit 1
status=$("$client" --no-defaults --connect-timeout=2 -h "$HAPROXY_SERVER_ADDR" -P "$HAPROXY_SERVER_PORT" \
  -u "${GALERA_CHECK_USER:-haproxy_check}" ${GALERA_CHECK_PASSWORD:+"-p$GALERA_CHECK_PASSWORD"} -N -B \
  -e "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'wsrep_local_state_comment')" 2>/dev/null) || exit 1
echo "$status" | grep -q 'wsrep_cluster_status[[:space:]]*Primary' || exit 1
echo "$status" | grep -q 'wsrep_local_state_comment[[:space:]]*Synced' || exit 1
exit 0
