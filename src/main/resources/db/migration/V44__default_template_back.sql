-- Interactive apps created without a template follow the template named 'default', which can no longer be
-- renamed or deleted. A database where it was renamed or deleted before gets it back with the shipped values
-- (apps that followed it under its other name keep following that one).
insert into client_templates (name, description, scopes, token_format, code_ttl, access_token_ttl, refresh_token_ttl,
                              id_token_ttl, refresh_retry_window, created_at, updated_at)
select 'default', 'Defaults: code 10 minutes, access token 10 minutes, refresh token 14 days, ID token 1 hour',
       'openid profile email offline_access rest.all rest.all.read rest.all.write api', 'opaque',
       600, 600, 1209600, 3600, 0, 0, 0
where not exists (select 1 from client_templates where name = 'default');
