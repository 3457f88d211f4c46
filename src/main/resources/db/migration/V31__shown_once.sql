-- What the console shows once (a new client secret, a generated private key) waits here, sealed with the
-- master key, between the POST that made it and the page that shows it: read once, then deleted. Any node
-- can show it; it expires after a few minutes if nobody looks.
create table shown_once (
    handle_hash     varchar(64) primary key,
    viewer_user_id  bigint not null,
    sealed          varchar(30000) not null,
    expires_at      bigint not null
);
