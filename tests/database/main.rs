//! Database sessions (features `postgres`, `sqlite`): one binary over the fixtures that the
//! real Auth.js libraries and adapters wrote (`fixtures/database/`), restored into a
//! throwaway PostgreSQL cluster that this process starts and stops and into SQLite files,
//! plus the store's own behaviour (errors, cache, bounds).

mod behaviour;
mod fixtures;
mod frameworks;
mod headers;
mod mutants;
#[path = "../support/pg.rs"]
mod pg;
#[path = "../support/prisma.rs"]
mod prisma;
