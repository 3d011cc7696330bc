-- Lift: conversion rate of exposed versus unexposed customers, by region.
WITH exposed AS (SELECT DISTINCT hashed_email FROM impressions),
     converted AS (SELECT DISTINCT hashed_email FROM conversions)
SELECT c.region,
       CASE WHEN e.hashed_email IS NULL THEN 'unexposed' ELSE 'exposed' END AS exposure,
       COUNT(*) AS customers,
       COUNT(v.hashed_email) AS converters,
       ROUND(COUNT(v.hashed_email)::numeric / COUNT(*), 4) AS conversion_rate
FROM customers c
LEFT JOIN exposed e ON c.hashed_email = e.hashed_email
LEFT JOIN converted v ON c.hashed_email = v.hashed_email
GROUP BY 1, 2
ORDER BY 1, 2
