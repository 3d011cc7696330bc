-- Reach and frequency by campaign and age band, only for cells reaching at least 100 people.
SELECT i.campaign_id,
       c.age_band,
       COUNT(DISTINCT i.hashed_email) AS reach,
       COUNT(*) AS impressions,
       ROUND(COUNT(*)::numeric / COUNT(DISTINCT i.hashed_email), 2) AS avg_frequency
FROM impressions i
JOIN customers c ON i.hashed_email = c.hashed_email
GROUP BY i.campaign_id, c.age_band
HAVING COUNT(DISTINCT i.hashed_email) >= 100
ORDER BY i.campaign_id, c.age_band
