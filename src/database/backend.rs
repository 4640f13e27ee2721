//! The SQL side of a [`Store`](super::Store): connecting, reading the tables' shape once, the
//! one lookup query (built once from the [`Schema`], the token always a bound parameter), and
//! turning a row into a [`DatabaseSession`].

use serde_json::{Map, Value};

use super::schema::{Column, IntegerTime, Schema};
use super::session::DatabaseSession;
use crate::error::{Error, StoreError};
use crate::js_time::{in_date_range, iso_from_ms, parse_ms};

/// A connection pool of one of the supported databases. No `Debug`: it would print the
/// connection settings.
#[derive(Clone)]
pub(crate) enum Pool {
    #[cfg(feature = "postgres")]
    Postgres(sqlx::PgPool),
    #[cfg(feature = "sqlite")]
    Sqlite(sqlx::SqlitePool),
}

/// The lookup of one schema in one database, ready to run.
#[derive(Clone)]
pub(crate) struct Lookup {
    pool: Pool,
    sql: String,
    /// How the user object's members are converted after the query.
    user: Vec<Member>,
    /// The session row's members, when the schema returns the session row.
    session: Option<Vec<Member>>,
    integer_time: IntegerTime,
}

/// One member of a selected object: its key in the object, its column, how it is selected
/// and converted.
#[derive(Clone)]
struct Member {
    key: String,
    column: String,
    kind: Kind,
}

/// One matching row, before conversion.
pub(crate) struct Row {
    expires: RawTime,
    user: String,
    session: Option<String>,
}

// Each database produces some of the forms.
#[cfg_attr(not(all(feature = "postgres", feature = "sqlite")), allow(dead_code))]
enum RawTime {
    Millis(i64),
    Integer(i64),
    Text(String),
    Null,
}

/// How a user column is selected.
#[derive(Clone, Copy, PartialEq)]
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
enum Kind {
    /// As the database's JSON rendering gives it.
    Plain,
    /// An instant: selected as unix milliseconds (PostgreSQL) or as stored (SQLite), then
    /// rendered as an ISO string.
    Time,
    /// PostgreSQL `bigint` / `numeric`: as text, the way node-postgres returns them.
    Text,
    /// A boolean SQLite stores as 0 / 1 (Better Auth's `emailVerified`).
    Bool,
}

/// sqlx's errors as [`StoreError`]s: nothing of the database's message is kept (it may quote
/// a value), only its code.
pub(crate) fn store_error(error: &sqlx::Error) -> Error {
    let store = match error {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // undefined_table, undefined_column, undefined_function (a join over mismatched
            // types), datatype_mismatch, cannot_coerce, invalid_schema_name
            Some(code @ ("42P01" | "42703" | "42883" | "42804" | "42846" | "3F000")) => {
                StoreError::Schema(format!("the database refused the lookup (SQLSTATE {code})"))
            }
            code => StoreError::Query {
                code: code.map(str::to_owned),
            },
        },
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. } => {
            StoreError::Schema("a column of an unexpected type".to_owned())
        }
        sqlx::Error::PoolTimedOut => StoreError::Unavailable,
        _ => StoreError::Unavailable,
    };
    Error::Store(store)
}

fn schema_error(message: String) -> Error {
    Error::Store(StoreError::Schema(message))
}

impl Lookup {
    /// `"postgres"` or `"sqlite"`.
    pub(crate) fn engine(&self) -> &'static str {
        match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => "postgres",
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_) => "sqlite",
        }
    }

    /// Reads the shape of both tables and prepares the lookup; runs it once with an empty
    /// token so that a join over mismatched types fails here, not on the first request.
    pub(crate) async fn prepare(pool: Pool, schema: &Schema) -> Result<Self, Error> {
        let user_columns = columns(&pool, schema, schema.user_table_ident().as_str()).await?;
        let session_columns = columns(&pool, schema, schema.session_table_ident().as_str()).await?;
        let user_table = schema.user_table_ident().as_str();
        let session_table = schema.session_table_ident().as_str();
        if user_columns.is_empty() {
            return Err(schema_error(format!("no table {user_table:?}")));
        }
        if session_columns.is_empty() {
            return Err(schema_error(format!("no table {session_table:?}")));
        }
        for (table, have, need) in [
            (
                session_table,
                &session_columns,
                &[
                    Column::SessionToken,
                    Column::SessionUserId,
                    Column::SessionExpires,
                ][..],
            ),
            (
                user_table,
                &user_columns,
                &[
                    Column::UserId,
                    Column::UserName,
                    Column::UserEmail,
                    Column::UserImage,
                ][..],
            ),
        ] {
            for column in need {
                let name = schema.ident(*column).as_str();
                if !have.iter().any(|(n, _)| n == name) {
                    return Err(schema_error(format!("no column {name:?} in {table:?}")));
                }
            }
        }
        let expires = schema.ident(Column::SessionExpires).as_str();
        #[cfg_attr(not(feature = "postgres"), allow(unused_variables))]
        let expires_kind = session_columns
            .iter()
            .find(|(n, _)| n == expires)
            .map(|(_, k)| *k);
        let integer_time = schema.integer_unit();
        let member = |key: &str, name: String, kind: Kind| {
            let kind = if schema.is_bool_column(&name) {
                Kind::Bool
            } else if kind == Kind::Plain && schema.is_time_column(&name) {
                Kind::Time
            } else {
                kind
            };
            Member {
                key: key.to_owned(),
                column: name,
                kind,
            }
        };
        let user: Vec<Member> = user_columns
            .into_iter()
            .map(|(name, kind)| member(schema.user_key(&name), name.clone(), kind))
            .collect();
        let session = schema.returns_session_row().then(|| {
            session_columns
                .iter()
                .map(|(name, kind)| {
                    // Every session column is an instant when the database says so; the
                    // adapters' own time columns too (SQLite declares them as text).
                    let kind = if *kind == Kind::Plain && schema.is_session_time_column(name) {
                        Kind::Time
                    } else {
                        *kind
                    };
                    Member {
                        key: name.clone(),
                        column: name.clone(),
                        kind,
                    }
                })
                .collect::<Vec<_>>()
        });
        let sql = match &pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(_) => {
                if expires_kind != Some(Kind::Time) {
                    return Err(schema_error(format!(
                        "{session_table:?}.{expires:?} is not a timestamp column"
                    )));
                }
                postgres_sql(schema, &user, session.as_deref())
            }
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(_) => sqlite_sql(schema, &user, session.as_deref()),
        };
        let lookup = Self {
            pool,
            sql,
            user,
            session,
            integer_time,
        };
        lookup.fetch("").await?;
        Ok(lookup)
    }

    /// Runs the lookup for one token: the first matching row, `None` when there is none.
    pub(crate) async fn fetch(&self, token: &str) -> Result<Option<Row>, Error> {
        match &self.pool {
            #[cfg(feature = "postgres")]
            Pool::Postgres(pool) => {
                let row: Option<(Option<i64>, String, Option<String>)> = sqlx::query_as(&self.sql)
                    .bind(token)
                    .fetch_optional(pool)
                    .await
                    .map_err(|e| store_error(&e))?;
                Ok(row.map(|(expires, user, session)| Row {
                    expires: expires.map_or(RawTime::Null, RawTime::Millis),
                    user,
                    session,
                }))
            }
            #[cfg(feature = "sqlite")]
            Pool::Sqlite(pool) => {
                // expires as an integer or as text, the user, the session row
                type Selected = (Option<i64>, Option<String>, String, Option<String>);
                let row: Option<Selected> = sqlx::query_as(&self.sql)
                    .bind(token)
                    .fetch_optional(pool)
                    .await
                    .map_err(|e| store_error(&e))?;
                Ok(row.map(|(integer, text, user, session)| Row {
                    expires: match (integer, text) {
                        (Some(n), _) => RawTime::Integer(n),
                        (None, Some(t)) => RawTime::Text(t),
                        (None, None) => RawTime::Null,
                    },
                    user,
                    session,
                }))
            }
        }
    }

    /// The session of a row: the user object (and the session row) with instants as ISO
    /// strings, the expiry in milliseconds.
    pub(crate) fn session(&self, row: Row) -> Result<DatabaseSession, Error> {
        let expires_ms = self
            .millis(&row.expires)
            .filter(|ms| in_date_range(*ms))
            .ok_or_else(|| schema_error("a session's expiry is not an instant".to_owned()))?;
        let user = self.object(&row.user, &self.user)?;
        let session = match (&self.session, &row.session) {
            (Some(members), Some(json)) => Some(self.object(json, members)?),
            _ => None,
        };
        Ok(DatabaseSession::new(user, expires_ms, session))
    }

    /// One selected object, its instants as ISO strings and its stored booleans as booleans.
    fn object(&self, json: &str, members: &[Member]) -> Result<Map<String, Value>, Error> {
        let mut object: Map<String, Value> = serde_json::from_str(json)
            .map_err(|_| schema_error("a row is not representable as JSON".to_owned()))?;
        for member in members {
            let Some(value) = object.get_mut(&member.key) else {
                continue;
            };
            match member.kind {
                Kind::Time => {
                    let raw = match value {
                        Value::Number(n) => n.as_i64().map(|n| match &self.pool {
                            #[cfg(feature = "postgres")]
                            Pool::Postgres(_) => RawTime::Millis(n),
                            #[cfg(feature = "sqlite")]
                            Pool::Sqlite(_) => RawTime::Integer(n),
                        }),
                        Value::String(s) => Some(RawTime::Text(std::mem::take(s))),
                        _ => None,
                    };
                    if let Some(raw) = raw {
                        // A value that is no instant stays as stored.
                        *value = match self.millis(&raw).and_then(iso_from_ms) {
                            Some(iso) => Value::String(iso),
                            None => match raw {
                                RawTime::Text(s) => Value::String(s),
                                RawTime::Millis(n) | RawTime::Integer(n) => Value::from(n),
                                RawTime::Null => Value::Null,
                            },
                        };
                    }
                }
                Kind::Bool => {
                    if let Some(n) = value.as_i64() {
                        *value = Value::Bool(n != 0);
                    }
                }
                Kind::Plain | Kind::Text => {}
            }
        }
        Ok(object)
    }

    fn millis(&self, raw: &RawTime) -> Option<i64> {
        match raw {
            RawTime::Millis(ms) => Some(*ms),
            RawTime::Integer(n) => match self.integer_time {
                IntegerTime::Millis => Some(*n),
                IntegerTime::Seconds => n.checked_mul(1000),
            },
            RawTime::Text(text) => parse_ms(text),
            RawTime::Null => None,
        }
    }
}

/// The columns of a table in declaration order, with how each is selected. Empty when the
/// table does not exist.
async fn columns(pool: &Pool, schema: &Schema, table: &str) -> Result<Vec<(String, Kind)>, Error> {
    match pool {
        #[cfg(feature = "postgres")]
        Pool::Postgres(pool) => {
            let qualified = match schema.namespace_ident() {
                Some(ns) => format!("{}.\"{table}\"", ns.quoted()),
                None => format!("\"{table}\""),
            };
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT a.attname::text, t.typname::text FROM pg_catalog.pg_attribute a \
                 JOIN pg_catalog.pg_type t ON t.oid = a.atttypid \
                 WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped \
                 ORDER BY a.attnum",
            )
            .bind(qualified)
            .fetch_all(pool)
            .await
            .map_err(|e| store_error(&e))?;
            Ok(rows
                .into_iter()
                .map(|(name, ty)| {
                    let kind = match ty.as_str() {
                        "timestamptz" | "timestamp" => Kind::Time,
                        "int8" | "numeric" => Kind::Text,
                        _ => Kind::Plain,
                    };
                    (name, kind)
                })
                .collect())
        }
        #[cfg(feature = "sqlite")]
        Pool::Sqlite(pool) => {
            let query = match schema.namespace_ident() {
                Some(_) => "SELECT name, type FROM pragma_table_info(?1, ?2) ORDER BY cid",
                None => "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid",
            };
            let mut query = sqlx::query_as::<_, (String, String)>(query).bind(table);
            if let Some(ns) = schema.namespace_ident() {
                query = query.bind(ns.as_str());
            }
            let rows = query.fetch_all(pool).await.map_err(|e| store_error(&e))?;
            Ok(rows
                .into_iter()
                .map(|(name, ty)| {
                    let ty = ty.to_ascii_uppercase();
                    let kind = if ty.contains("DATE") || ty.contains("TIME") {
                        Kind::Time
                    } else {
                        Kind::Plain
                    };
                    (name, kind)
                })
                .collect())
        }
    }
}

/// `FROM <session> AS s JOIN <user> AS u ON u.<id> = s.<userId> WHERE s.<token> = <param>`.
fn from_where(schema: &Schema, param: &str) -> String {
    format!(
        "FROM {} AS s JOIN {} AS u ON u.{} = s.{} WHERE s.{} = {param} LIMIT 1",
        schema.qualified(schema.session_table_ident()),
        schema.qualified(schema.user_table_ident()),
        schema.ident(Column::UserId).quoted(),
        schema.ident(Column::SessionUserId).quoted(),
        schema.ident(Column::SessionToken).quoted(),
    )
}

/// An object's members, `'key', <expression>` each. Keys are validated identifiers (or the
/// adapters' field names), so they need no escaping inside the quotes.
fn members(
    table: &str,
    members: &[Member],
    expression: impl Fn(&str, Kind) -> String,
) -> Vec<String> {
    members
        .iter()
        .map(|m| {
            let column = format!("{table}.\"{}\"", m.column);
            format!("'{}', {}", m.key, expression(&column, m.kind))
        })
        .collect()
}

/// One JSON object from several (SQL text expressions): every `}` but the last and every `{`
/// but the first dropped, the rest joined with commas.
fn merge_objects(objects: &[String], drop_last_char: impl Fn(&str) -> String) -> String {
    let last = objects.len() - 1;
    objects
        .iter()
        .enumerate()
        .map(|(i, object)| {
            let object = if i > 0 {
                format!("substr({object}, 2)")
            } else {
                object.clone()
            };
            if i < last {
                drop_last_char(&object)
            } else {
                object
            }
        })
        .collect::<Vec<_>>()
        .join(" || ',' || ")
}

#[cfg(feature = "postgres")]
fn postgres_sql(schema: &Schema, user: &[Member], session: Option<&[Member]>) -> String {
    let millis = |column: &str| format!("floor(extract(epoch FROM {column}) * 1000)::int8");
    let expression = |column: &str, kind: Kind| match kind {
        Kind::Time => millis(column),
        Kind::Text => format!("{column}::text"),
        Kind::Plain | Kind::Bool => column.to_owned(),
    };
    // json_build_object takes at most 100 arguments: 50 columns per object. jsonb would
    // reorder the keys, so the objects are merged as text.
    let object = |table: &str, members_of: &[Member]| {
        let parts: Vec<String> = members(table, members_of, expression)
            .chunks(50)
            .map(|chunk| format!("json_build_object({})::text", chunk.join(", ")))
            .collect();
        merge_objects(&parts, |o| format!("left({o}, -1)"))
    };
    format!(
        "SELECT {}, {}, {} {}",
        millis(&format!(
            "s.{}",
            schema.ident(Column::SessionExpires).quoted()
        )),
        object("u", user),
        session.map_or_else(|| "NULL::text".to_owned(), |s| object("s", s)),
        from_where(schema, "$1"),
    )
}

#[cfg(feature = "sqlite")]
fn sqlite_sql(schema: &Schema, user: &[Member], session: Option<&[Member]>) -> String {
    let expires = format!("s.{}", schema.ident(Column::SessionExpires).quoted());
    let object = |table: &str, members_of: &[Member]| {
        let parts: Vec<String> = members(table, members_of, |column, _| column.to_owned())
            .chunks(50)
            .map(|chunk| format!("json_object({})", chunk.join(", ")))
            .collect();
        merge_objects(&parts, |o| format!("substr({o}, 1, length({o}) - 1)"))
    };
    format!(
        "SELECT CASE typeof({expires}) WHEN 'integer' THEN {expires} WHEN 'real' THEN CAST({expires} AS INTEGER) END, \
         CASE typeof({expires}) WHEN 'text' THEN {expires} END, {}, {} {}",
        object("u", user),
        session.map_or_else(|| "NULL".to_owned(), |s| object("s", s)),
        from_where(schema, "?1"),
    )
}
