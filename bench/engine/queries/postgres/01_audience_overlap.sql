-- Audience overlap: how many of the advertiser's customers the publisher reached, and with how
-- many impressions.
SELECT COUNT(DISTINCT c.hashed_email) AS overlap_customers,
       COUNT(*) AS overlap_impressions
FROM customers c
JOIN impressions i ON c.hashed_email = i.hashed_email
