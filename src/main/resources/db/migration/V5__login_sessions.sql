-- People's login sessions, shared by every node. The browser holds a random secret; only its SHA-256
-- is stored (id_hash), so a copy of the database does not let anyone sign in. public_id is a separate,
-- non-secret random name for the session (the OpenID Connect "sid"). Times are epoch milliseconds.
create table login_sessions (
    id_hash       varchar(64) primary key,
    public_id     varchar(32) not null unique,
    user_id       bigint not null references users(id) on delete cascade,
    auth_time     bigint not null,
    created_at    bigint not null,
    last_seen_at  bigint not null,
    expires_at    bigint not null
);

create index login_sessions_user on login_sessions (user_id);
create index login_sessions_expiry on login_sessions (expires_at);
