-- A native app's loopback redirect URI may be registered at the longest a redirect URI may be (2000
-- characters) and still be asked for with any port (RFC 8252 §7.3): ":65535" adds six characters.
alter table authorization_codes alter column redirect_uri set data type varchar(2006);
