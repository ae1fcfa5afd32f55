-- Every table of the DUA warehouse written outside dbt: the raw layer, the load
-- bookkeeping (meta), the validation results (dq) and the publication log.
-- Idempotent: applied by every command before it touches the warehouse.
-- The clear personnummer never reaches these tables: person_id is a keyed
-- pseudonym (HMAC-SHA256), birth_date and pnr_gender are derived at load.

create schema if not exists raw;
create schema if not exists meta;

-- One row per delivered file (whatever became of it). sha256 makes an
-- identical re-delivery a no-op.
create table if not exists meta.file_ledger (
    file_id        bigint generated always as identity primary key,
    file_name      text        not null,
    source         text        not null,   -- dexter | af | catalogue
    kommunkod      text,
    file_date      date,                   -- export date (dexter), month start (af)
    sha256         text        not null,
    encoding       text,
    status         text        not null,   -- loaded | rejected | superseded
    rows_total     integer     not null default 0,
    rows_loaded    integer     not null default 0,
    rows_rejected  integer     not null default 0,
    rows_repeated  integer     not null default 0,  -- repeats of an identical row, loaded once
    reason_code    text,                   -- whole-file rejection rule
    message        text,
    run_id         text,
    loaded_at      timestamptz not null default now()
);
create unique index if not exists file_ledger_sha256 on meta.file_ledger (sha256);
-- warehouses created before the column (rows_total = rows_loaded + rows_rejected +
-- rows_repeated); the table is locked only then
do $$
begin
    if not exists (select 1 from information_schema.columns
                   where table_schema = 'meta' and table_name = 'file_ledger' and column_name = 'rows_repeated') then
        alter table meta.file_ledger add column rows_repeated integer not null default 0;
    end if;
end $$;

-- Rejected rows, with the personnummer masked in raw_line.
create table if not exists meta.quarantine (
    file_id      bigint  not null references meta.file_ledger (file_id),
    file_name    text    not null,
    line_no      integer not null,
    reason_code  text    not null,
    column_name  text,
    message      text    not null,
    raw_line     text
);
create index if not exists quarantine_file on meta.quarantine (file_id);

-- What the loader found in a file beyond its rows, for the data-quality
-- report: personnummer_in_unknown_column (column_name: an unknown column
-- with values that looked like a personnummer, stored masked; rows: how many).
create table if not exists meta.file_finding (
    file_id      bigint  not null references meta.file_ledger (file_id),
    finding      text    not null,
    column_name  text,
    rows         integer not null default 0
);
create index if not exists file_finding_file on meta.file_finding (file_id);

create table if not exists meta.run_log (
    run_id       text primary key,
    command      text        not null,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz,
    status       text        not null default 'running',  -- running | success | failed
    detail       jsonb
);

-- Dexter ISP enrolments: every loaded export is kept; the latest export of a
-- municipality supersedes earlier ones enrolment by enrolment (see
-- stg_dexter__enrolments).
create table if not exists raw.dexter_enrolment (
    file_id             bigint   not null,  -- meta.file_ledger (see below)
    line_no             integer  not null,
    export_date         date     not null,
    person_id           text     not null,
    pnr_is_temporary    boolean  not null,
    pnr_is_samordning   boolean  not null,
    birth_date          date,
    pnr_gender          text,               -- K | M | null (temporary)
    kommunkod           text     not null,
    deltagande_id       text     not null,
    skolform            text     not null,
    kurskod             text     not null,
    studievag           smallint,
    kurspaket           text,
    startdatum          date     not null,
    planerat_slutdatum  date     not null,
    slutdatum           date,
    status              text     not null,
    avbrottsorsak       text,
    betyg               text,
    franvaro_procent    numeric(6, 2),
    studietakt_procent  smallint not null,
    finansiering        text,
    isp_uppdaterad      date,
    extra               jsonb
);
create index if not exists dexter_enrolment_key
    on raw.dexter_enrolment (kommunkod, deltagande_id, export_date);
create index if not exists dexter_enrolment_file on raw.dexter_enrolment (file_id);

-- Af monthly status snapshots: one snapshot per (kommunkod, status_month);
-- a corrected delivery replaces the snapshot whole.
create table if not exists raw.af_status (
    file_id                        bigint   not null,  -- meta.file_ledger
    line_no                        integer  not null,
    person_id                      text     not null,
    pnr_is_samordning              boolean  not null,
    birth_date                     date,               -- null: samordningsnummer with month 00 / day 60
    pnr_gender                     text     not null,
    kommunkod                      text     not null,
    status_month                   date     not null,  -- first day of statusmanad
    kon                            text     not null,
    sokandekategori                text,
    inskrivningsdatum              date     not null,
    avaktualiseringsdatum          date,
    avaktualiseringsorsak          text,
    uppehallstillstand_datum       date     not null,
    etablering_startdatum          date,
    etablering_planerat_slutdatum  date,
    etablering_slutdatum           date,
    utbildningsniva                text     not null,
    funktionsnedsattning           text     not null,
    aktivitetsgrad                 smallint,
    extra                          jsonb
);
create index if not exists af_status_snapshot on raw.af_status (kommunkod, status_month);
create index if not exists af_status_file on raw.af_status (file_id);

-- Job-track catalogue: each delivery replaces the whole catalogue.
create table if not exists raw.jobbspar_katalog (
    file_id          bigint  not null,  -- meta.file_ledger
    line_no          integer not null,
    jobbspar_id      text    not null,
    kommunkod        text    not null,
    namn             text    not null,
    bransch          text,
    kurspaket        text    not null,
    kurstid_veckor   integer,
    platser_per_ar   integer not null,
    forkunskaper     text,
    giltig_fran      date    not null,
    giltig_till      date,
    extra            jsonb
);

-- Warehouses created when every Af birth date was known: a samordningsnummer
-- with month 00 or day 60 has none (the column's lock is taken only then).
do $$
begin
    if exists (select 1 from information_schema.columns
               where table_schema = 'raw' and table_name = 'af_status' and column_name = 'birth_date'
                 and is_nullable = 'NO') then
        alter table raw.af_status alter column birth_date drop not null;
    end if;
end $$;

-- The raw tables' file_id names a meta.file_ledger row, written by the loader
-- in the same transaction as the rows.  It is not a foreign key: checking one
-- per row halved the speed of the load's COPY.  Warehouses created with the
-- constraints lose them here (only then is a table locked).
do $$
declare
    r record;
begin
    for r in
        select conrelid::regclass as tbl, conname from pg_constraint
        where contype = 'f'
          and conrelid in ('raw.dexter_enrolment'::regclass, 'raw.af_status'::regclass,
                           'raw.jobbspar_katalog'::regclass)
    loop
        execute format('alter table %s drop constraint %I', r.tbl, r.conname);
    end loop;
end $$;

-- Fingerprint of the pseudonym key the warehouse's person_id were made with:
-- HMAC-SHA256 of a fixed label under the key, never the key.  A load with
-- another key is refused (dua.keycheck); `dua rotate-key` changes it on purpose.
create table if not exists meta.pseudonym_key (
    singleton             boolean     primary key default true check (singleton),
    fingerprint           text        not null,
    recorded_at           timestamptz not null default now(),
    previous_fingerprint  text,
    rotated_at            timestamptz
);

-- The validation gate's results: one row per check and run (dua.quality.validation).
create schema if not exists dq;
create table if not exists dq.validation_result (
    run_id      text        not null,
    checked_at  timestamptz not null default now(),
    suite       text        not null,
    check_name  text        not null,
    severity    text        not null,
    success     boolean     not null,
    observed    text,
    details     jsonb,
    primary key (run_id, suite, check_name)
);

-- One row per publication (dua.publish.publication).  The other published
-- tables are the dbt contracts' (models/indicators), copied by the publication.
create schema if not exists published;

create table if not exists published.publication (
    run_id        text primary key,
    published_at  timestamptz not null,
    rows          integer     not null,
    detail        jsonb
);
comment on table published.publication is
    'En rad per publicering: körning, tid, antal rader och underlag (senaste Af-månad och '
    'Dexter-export per kommun, valideringens resultat). / One row per publication.';
comment on column published.publication.run_id is 'Körningens id. / The run id.';
comment on column published.publication.published_at is 'När publiceringen gjordes. / When it was published.';
comment on column published.publication.rows is 'Antal rader i published.indicator_value. / Rows published.';
comment on column published.publication.detail is 'Underlaget som JSON. / What the publication was built from.';
