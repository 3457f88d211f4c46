-- RFC 6749 §3.1.2.3 / §4.1.3: an app with a single redirect URI may leave it out of a plain OAuth
-- authorization request; the token request then need not repeat it. The code remembers which case it was.
alter table authorization_codes add column redirect_uri_named boolean default true not null;
