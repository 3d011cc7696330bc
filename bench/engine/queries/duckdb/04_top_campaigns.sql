-- Top-N: the ten campaigns that spent most on the advertiser's gold and platinum customers.
SELECT i.campaign_id,
       SUM(i.cost) AS spend,
       COUNT(DISTINCT i.hashed_email) AS reach
FROM impressions i
JOIN customers c ON i.hashed_email = c.hashed_email
WHERE c.loyalty_tier IN ('gold', 'platinum')
GROUP BY i.campaign_id
ORDER BY spend DESC, i.campaign_id
LIMIT 10
