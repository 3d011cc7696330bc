-- One table, filter and group-by: the publisher's device mix for the first ten campaigns after
-- the first week of the flight.
SELECT device,
       COUNT(*) AS impressions,
       SUM(cost) AS spend,
       MAX(cost) AS max_cost
FROM impressions
WHERE campaign_id <= 10
  AND ts >= '2026-03-08 00:00:00'
GROUP BY device
ORDER BY device
