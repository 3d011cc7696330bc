SELECT campaign_id, COUNT(*) AS impressions, SUM(cost) AS spend, COUNT(DISTINCT hashed_email) AS reach
FROM impressions
GROUP BY campaign_id
ORDER BY campaign_id
