-- The per-app counts of the console ("3 active, 2 expired") read only these columns: with all of them in
-- the one index the table already had, a count walks the app's index entries and no table rows. The
-- index still serves the per-app cleanup of expired records; inserts still pay for one index.
drop index access_tokens_app;
create index access_tokens_app on access_tokens (app_id, expires_at, app_generation, revoked_at);
