-- Run once, on galera1's first start (the other members receive it by state transfer): the user HAProxy's check logs
-- in as. It has no privilege (USAGE) and reaches only the compose network.
CREATE USER IF NOT EXISTS 'haproxy_check'@'%';
