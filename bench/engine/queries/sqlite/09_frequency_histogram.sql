-- Frequency distribution: how many customers saw 1, 2, ... 20+ impressions.
WITH frequency AS (
  SELECT i.hashed_email, COUNT(*) AS n
  FROM impressions i
  JOIN customers c ON i.hashed_email = c.hashed_email
  GROUP BY i.hashed_email
)
SELECT CASE WHEN n >= 20 THEN 20 ELSE n END AS frequency,
       COUNT(*) AS customers
FROM frequency
GROUP BY 1
ORDER BY 1
