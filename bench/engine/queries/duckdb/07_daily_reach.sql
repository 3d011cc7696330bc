-- Daily reach of the overlap audience (a semi join: impressions of people who are customers).
SELECT CAST(i.ts AS DATE) AS day,
       COUNT(DISTINCT i.hashed_email) AS reach,
       COUNT(*) AS impressions
FROM impressions i
SEMI JOIN customers c ON i.hashed_email = c.hashed_email
GROUP BY CAST(i.ts AS DATE)
ORDER BY day
