-- Change-log rows take their numbers from one counter row, in commit order (see ChangeFeed), so nodes
-- follow the log by position instead of by their clocks.
create table change_counter (
    id       int primary key,
    last_id  bigint not null
);
insert into change_counter (id, last_id) select 1, coalesce(max(id), 0) from change_log;

-- "Revoke all tokens" no longer compares the revoking node's clock with the issuing node's: an app has a
-- token generation, bumped by revoke-all, disable and any narrowing of its rights; a token is valid only
-- while it carries its app's current generation.
alter table apps add column token_generation bigint default 0 not null;
alter table access_tokens add column app_generation bigint default 0 not null;
update access_tokens set revoked_at = (select a.tokens_revoked_before from apps a where a.id = access_tokens.app_id)
 where revoked_at is null
   and issued_at <= (select a.tokens_revoked_before from apps a where a.id = access_tokens.app_id);
alter table apps drop column tokens_revoked_before;
