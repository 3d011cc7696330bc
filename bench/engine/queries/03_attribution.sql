-- Three-way attribution: conversions of customers within 7 days after an impression of the
-- same campaign, by loyalty tier.
SELECT c.loyalty_tier,
       COUNT(DISTINCT v.hashed_email) AS converters,
       COUNT(*) AS attributed_touches,
       SUM(v.conversion_value) AS attributed_value
FROM customers c
JOIN impressions i ON i.hashed_email = c.hashed_email
JOIN conversions v ON v.hashed_email = i.hashed_email AND v.campaign_id = i.campaign_id
WHERE v.conversion_ts >= i.ts
  AND v.conversion_ts < i.ts + INTERVAL 7 DAYS
GROUP BY c.loyalty_tier
ORDER BY c.loyalty_tier
