-- Daily reach of the overlap audience (a semi join: impressions of people who are customers).
SELECT to_date(i.ts) AS day,
       COUNT(DISTINCT i.hashed_email) AS reach,
       COUNT(*) AS impressions
FROM impressions i
LEFT SEMI JOIN customers c ON i.hashed_email = c.hashed_email
GROUP BY to_date(i.ts)
ORDER BY day
