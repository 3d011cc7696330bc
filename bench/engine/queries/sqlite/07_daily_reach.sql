-- Daily reach of the overlap audience (a semi join: impressions of people who are customers).
SELECT date(i.ts) AS day,
       COUNT(DISTINCT i.hashed_email) AS reach,
       COUNT(*) AS impressions
FROM impressions i
WHERE EXISTS (SELECT 1 FROM customers c WHERE c.hashed_email = i.hashed_email)
GROUP BY date(i.ts)
ORDER BY day
