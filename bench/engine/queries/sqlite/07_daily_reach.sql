-- Daily reach of the overlap audience (a semi join: impressions of people who are customers).
SELECT date(i.ts) AS day,
       COUNT(DISTINCT i.hashed_email) AS reach,
       COUNT(*) AS impressions
FROM impressions i
WHERE i.hashed_email IN (SELECT hashed_email FROM customers)
GROUP BY date(i.ts)
ORDER BY day
