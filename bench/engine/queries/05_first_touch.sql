-- Window: which campaign touched each person first (ties broken by impression id).
SELECT campaign_id, COUNT(*) AS first_touches
FROM (
  SELECT campaign_id,
         ROW_NUMBER() OVER (PARTITION BY hashed_email ORDER BY ts, impression_id) AS touch
  FROM impressions
) t
WHERE touch = 1
GROUP BY campaign_id
ORDER BY campaign_id
