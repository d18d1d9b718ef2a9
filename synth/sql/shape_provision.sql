-- Agreements by provision type; internal share = internal / (internal + external).
SELECT
    count(*) FILTER (provision_type = 'Internal') AS internal,
    count(*) FILTER (provision_type = 'External') AS external,
    count(*) FILTER (provision_type = 'Direct payment') AS direct_payment,
    internal / (internal + external) AS internal_share
FROM loaded;
