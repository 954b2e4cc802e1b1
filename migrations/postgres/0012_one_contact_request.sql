-- One request to be put in touch per person and listing, decided by the database: two parallel
-- requests used to make two rows and count two. Earlier duplicates go (the first is kept) and
-- the listings' counters are recounted from the rows.
DELETE FROM listing_contact_requests
WHERE id NOT IN (
    SELECT MIN(id) FROM listing_contact_requests GROUP BY listing_kind, listing_id, user_id
);
UPDATE achievements SET contact_requests = (
    SELECT COUNT(*) FROM listing_contact_requests r WHERE r.listing_kind = 'achievement' AND r.listing_id = achievements.id
);
UPDATE demands SET contact_requests = (
    SELECT COUNT(*) FROM listing_contact_requests r WHERE r.listing_kind = 'demand' AND r.listing_id = demands.id
);
DROP INDEX listing_contact_requests_listing;
CREATE UNIQUE INDEX listing_contact_requests_once ON listing_contact_requests (listing_kind, listing_id, user_id);
