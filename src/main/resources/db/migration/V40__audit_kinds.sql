-- The kinds of audit events recorded so far, one row each, kept by the trail as it records. A family
-- filter ("app.") walks the (kind, occurred_at) index once per kind of the family, newest first, and stops
-- after a page; a LIKE on the kind would read and sort every event of the family.
create table audit_kinds (
    kind  varchar(60) primary key
);
insert into audit_kinds (kind) select distinct kind from audit_events;
