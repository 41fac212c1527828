-- Limits that must hold across jump-router replicas (issue 11). Each replica keeps its decisions in
-- memory and synchronises with these tables about once a second.

-- Bans: of a source address (username '') or of one (address, username) pair.
create table ban (
    source_ip    text        not null,
    username     text        not null default '',
    scope        text        not null check (scope in ('address', 'user')),
    banned_until timestamptz not null,
    created_at   timestamptz not null default now(),
    primary key (source_ip, username)
);
create index ban_active on ban (banned_until);

-- Failed logins per (address, username) in 10-second buckets, summed over the failure window.
create table auth_failure (
    source_ip text        not null,
    username  text        not null,
    bucket    timestamptz not null,
    failures  integer     not null,
    primary key (source_ip, username, bucket)
);

-- Connections that ended unauthenticated, per address in 10-second buckets (the failure budget).
create table unauthenticated_close (
    source_ip text        not null,
    bucket    timestamptz not null,
    closes    integer     not null,
    primary key (source_ip, bucket)
);

-- ShedLock: the pruning job runs on one replica at a time.
create table shedlock (
    name       varchar(64)  not null primary key,
    lock_until timestamp    not null,
    locked_at  timestamp    not null,
    locked_by  varchar(255) not null
);
