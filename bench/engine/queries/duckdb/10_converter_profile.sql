-- Profile of the customers who converted on the first five campaigns (an IN subquery), with a
-- minimum group size.
SELECT c.age_band,
       c.loyalty_tier,
       COUNT(*) AS customers,
       ROUND(AVG(c.lifetime_value), 2) AS avg_lifetime_value
FROM customers c
WHERE c.hashed_email IN (SELECT hashed_email FROM conversions WHERE campaign_id <= 5)
GROUP BY c.age_band, c.loyalty_tier
HAVING COUNT(*) >= 20
ORDER BY c.age_band, c.loyalty_tier
