-- An authorization code carries its app's token generation, so a code issued before a revoke-all, a
-- disable or a narrowing of the app's rights cannot be exchanged for tokens afterwards.
alter table authorization_codes add column app_generation bigint default 0 not null;
